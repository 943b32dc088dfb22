package sshhost

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// APIOnly is esxi.transport "api": the changes go over the API and never
// fall back to SSH. A write the licence refuses fails with ErrAPIOnly,
// which says how to let ceso use SSH.
type APIOnly struct {
	api vm.Host
}

var _ vm.Host = APIOnly{}

// NewAPIOnly wraps api.
func NewAPIOnly(api vm.Host) APIOnly { return APIOnly{api: api} }

func hint(err error) error {
	if errors.Is(err, client.ErrRestrictedVersion) {
		return fmt.Errorf("%w: %w", ErrAPIOnly, err)
	}
	return err
}

func (a APIOnly) MakeDir(ctx context.Context, dir string) error {
	return hint(a.api.MakeDir(ctx, dir))
}

func (a APIOnly) DeleteDir(ctx context.Context, dir string) error {
	return hint(a.api.DeleteDir(ctx, dir))
}

func (a APIOnly) CopyDisk(ctx context.Context, src, dst, controller string) error {
	return hint(a.api.CopyDisk(ctx, src, dst, controller))
}

func (a APIOnly) CopyFile(ctx context.Context, src, dst string) error {
	return hint(a.api.CopyFile(ctx, src, dst))
}

func (a APIOnly) DeleteDisk(ctx context.Context, path string) error {
	return hint(a.api.DeleteDisk(ctx, path))
}

func (a APIOnly) CreateVM(ctx context.Context, v *vm.NewVM) (vm.VMRef, error) {
	ref, err := a.api.CreateVM(ctx, v)
	return ref, hint(err)
}

func (a APIOnly) GrowDisk(ctx context.Context, ref vm.VMRef, path string, capacity int64) error {
	return hint(a.api.GrowDisk(ctx, ref, path, capacity))
}

func (a APIOnly) Power(ctx context.Context, ref vm.VMRef, op vm.PowerOp) error {
	return hint(a.api.Power(ctx, ref, op))
}

func (a APIOnly) Destroy(ctx context.Context, ref vm.VMRef) error {
	return hint(a.api.Destroy(ctx, ref))
}

func (a APIOnly) CreateSnapshot(ctx context.Context, ref vm.VMRef, name string) (string, error) {
	id, err := a.api.CreateSnapshot(ctx, ref, name)
	return id, hint(err)
}

func (a APIOnly) RemoveSnapshot(ctx context.Context, ref vm.VMRef, id string) error {
	return hint(a.api.RemoveSnapshot(ctx, ref, id))
}

// DryRun is the API's plan.
func (a APIOnly) DryRun(record func(ops.Step)) vm.Host { return a.api.DryRun(record) }
