package sshhost

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// FallbackHost is esxi.transport "auto": each change is tried over the API
// first and, when the host refuses it with RestrictedVersion (the free
// licence), made over SSH instead, with a note saying so in the output and
// the audit record. Nothing is changed by a refused call, so repeating the
// step is safe. Once the host has refused one write, the licence is known
// and later steps go straight to SSH (each still noted).
//
// It is safe for concurrent use.
type FallbackHost struct {
	api     vm.Host
	ssh     *Host
	licence func(context.Context) (bool, error)
	// OnFallback, when set, is called each time a step goes over SSH
	// because the API refused it (the metrics count it). Set it before use.
	OnFallback func(ctx context.Context)

	refusals client.Refusals
}

var _ vm.Host = (*FallbackHost)(nil)

// NewFallback returns the Host that tries api first and falls back to ssh.
// licence tells whether the host runs on the free licence (FreeLicence);
// only a dry run asks it, to show the commands that would really run. It
// may be nil: a dry run then shows the API calls until a write was refused.
func NewFallback(api vm.Host, ssh *Host, licence func(context.Context) (bool, error)) *FallbackHost {
	return &FallbackHost{api: api, ssh: ssh, licence: licence}
}

// Restricted reports whether the host has refused a write over the API.
func (f *FallbackHost) Restricted() bool { return f.refusals.Refused() }

// Note is ops.Note, for remarks about the SSH connection made during a
// step.
func Note(ctx context.Context, format string, a ...any) { ops.Note(ctx, format, a...) }

func note(ctx context.Context, format string, a ...any) { ops.Note(ctx, format, a...) }

// fallback runs call on the API host and, if the licence refuses it, on
// the SSH host.
func fallback[T any](ctx context.Context, f *FallbackHost, step string, call func(vm.Host) (T, error)) (T, error) {
	var v T
	fallback, _, err := f.refusals.Try(func() (err error) { v, err = call(f.api); return err })
	if !fallback {
		return v, err
	}
	note(ctx, "%s over SSH: the host's licence refuses API writes", step)
	if f.OnFallback != nil {
		f.OnFallback(ctx)
	}
	return call(f.ssh)
}

func fallbackErr(ctx context.Context, f *FallbackHost, step string, call func(vm.Host) error) error {
	_, err := fallback(ctx, f, step, func(h vm.Host) (struct{}, error) { return struct{}{}, call(h) })
	return err
}

func (f *FallbackHost) MakeDir(ctx context.Context, dir string) error {
	return fallbackErr(ctx, f, "making folder "+dir, func(h vm.Host) error { return h.MakeDir(ctx, dir) })
}

func (f *FallbackHost) DeleteDir(ctx context.Context, dir string) error {
	return fallbackErr(ctx, f, "deleting folder "+dir, func(h vm.Host) error { return h.DeleteDir(ctx, dir) })
}

func (f *FallbackHost) CopyDisk(ctx context.Context, src, dst, controller string) error {
	return fallbackErr(ctx, f, fmt.Sprintf("copying disk %s to %s", src, dst), func(h vm.Host) error {
		return h.CopyDisk(ctx, src, dst, controller)
	})
}

func (f *FallbackHost) CopyFile(ctx context.Context, src, dst string) error {
	return fallbackErr(ctx, f, fmt.Sprintf("copying %s to %s", src, dst), func(h vm.Host) error { return h.CopyFile(ctx, src, dst) })
}

func (f *FallbackHost) DeleteDisk(ctx context.Context, path string) error {
	return fallbackErr(ctx, f, "deleting disk "+path, func(h vm.Host) error { return h.DeleteDisk(ctx, path) })
}

func (f *FallbackHost) CreateVM(ctx context.Context, v *vm.NewVM) (vm.VMRef, error) {
	return fallback(ctx, f, "creating VM "+v.Name, func(h vm.Host) (vm.VMRef, error) { return h.CreateVM(ctx, v) })
}

func (f *FallbackHost) GrowDisk(ctx context.Context, ref vm.VMRef, path string, capacity int64) error {
	return fallbackErr(ctx, f, fmt.Sprintf("growing disk %s of %s", path, ref.Name), func(h vm.Host) error {
		return h.GrowDisk(ctx, ref, path, capacity)
	})
}

func (f *FallbackHost) Power(ctx context.Context, ref vm.VMRef, op vm.PowerOp) error {
	return fallbackErr(ctx, f, verb(op)+" "+ref.Name, func(h vm.Host) error { return h.Power(ctx, ref, op) })
}

func (f *FallbackHost) Destroy(ctx context.Context, ref vm.VMRef) error {
	return fallbackErr(ctx, f, "destroying "+ref.Name, func(h vm.Host) error { return h.Destroy(ctx, ref) })
}

func (f *FallbackHost) CreateSnapshot(ctx context.Context, ref vm.VMRef, name string) (string, error) {
	return fallback(ctx, f, "taking snapshot of "+ref.Name, func(h vm.Host) (string, error) {
		return h.CreateSnapshot(ctx, ref, name)
	})
}

func (f *FallbackHost) RemoveSnapshot(ctx context.Context, ref vm.VMRef, id string) error {
	return fallbackErr(ctx, f, "removing snapshot of "+ref.Name, func(h vm.Host) error {
		return h.RemoveSnapshot(ctx, ref, id)
	})
}
