package vm

import (
	"context"

	"github.com/ceso/ceso/pkg/ops"
)

// Reporting returns a Host that makes every change through h and, just
// before, reports it to report as the plan describes it (the step h's dry
// run records): the steps of a create or clone as they happen.
func Reporting(h Host, report func(ops.Step)) Host {
	return reportingHost{Host: h, plan: h.DryRun(report)}
}

type reportingHost struct {
	Host
	plan Host
}

var _ Host = reportingHost{}

func (r reportingHost) MakeDir(ctx context.Context, dir string) error {
	_ = r.plan.MakeDir(ctx, dir)
	return r.Host.MakeDir(ctx, dir)
}

func (r reportingHost) DeleteDir(ctx context.Context, dir string) error {
	_ = r.plan.DeleteDir(ctx, dir)
	return r.Host.DeleteDir(ctx, dir)
}

func (r reportingHost) CopyDisk(ctx context.Context, src, dst, controller string) error {
	_ = r.plan.CopyDisk(ctx, src, dst, controller)
	return r.Host.CopyDisk(ctx, src, dst, controller)
}

func (r reportingHost) CopyFile(ctx context.Context, src, dst string) error {
	_ = r.plan.CopyFile(ctx, src, dst)
	return r.Host.CopyFile(ctx, src, dst)
}

func (r reportingHost) DeleteDisk(ctx context.Context, path string) error {
	_ = r.plan.DeleteDisk(ctx, path)
	return r.Host.DeleteDisk(ctx, path)
}

func (r reportingHost) CreateVM(ctx context.Context, vm *NewVM) (VMRef, error) {
	_, _ = r.plan.CreateVM(ctx, vm)
	return r.Host.CreateVM(ctx, vm)
}

func (r reportingHost) GrowDisk(ctx context.Context, vm VMRef, path string, capacity int64) error {
	_ = r.plan.GrowDisk(ctx, vm, path, capacity)
	return r.Host.GrowDisk(ctx, vm, path, capacity)
}

func (r reportingHost) Power(ctx context.Context, vm VMRef, op PowerOp) error {
	_ = r.plan.Power(ctx, vm, op)
	return r.Host.Power(ctx, vm, op)
}

func (r reportingHost) Destroy(ctx context.Context, vm VMRef) error {
	_ = r.plan.Destroy(ctx, vm)
	return r.Host.Destroy(ctx, vm)
}

func (r reportingHost) CreateSnapshot(ctx context.Context, vm VMRef, name string) (string, error) {
	_, _ = r.plan.CreateSnapshot(ctx, vm, name)
	return r.Host.CreateSnapshot(ctx, vm, name)
}

func (r reportingHost) RemoveSnapshot(ctx context.Context, vm VMRef, id string) error {
	_ = r.plan.RemoveSnapshot(ctx, vm, id)
	return r.Host.RemoveSnapshot(ctx, vm, id)
}

// DryRun is the dry run of the host reported on, which reports nothing.
func (r reportingHost) DryRun(record func(ops.Step)) Host { return r.Host.DryRun(record) }
