package sshhost

import (
	"context"
	"sync"

	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// DryRun returns a Host that shows the steps the FallbackHost would really
// take: the SSH commands when the host has refused an API write already or
// its licence is the free one, the API calls otherwise. The licence is
// read at the first step (one LicenseManager read); the plan then starts
// with a "local" step saying which way the writes go.
func (f *FallbackHost) DryRun(record func(ops.Step)) vm.Host {
	return &fallbackPlan{f: f, record: record}
}

// fallbackPlan picks the API's plan or the SSH plan at its first call.
type fallbackPlan struct {
	f      *FallbackHost
	record func(ops.Step)

	once sync.Once
	h    vm.Host
}

func (p *fallbackPlan) host(ctx context.Context) vm.Host {
	p.once.Do(func() {
		useSSH := p.f.Restricted()
		if !useSSH && p.f.licence != nil {
			free, err := p.f.licence(ctx)
			if err != nil {
				p.record(ops.Step{Via: "local", Action: "writes over the API",
					Detail: "the licence could not be read (" + err.Error() + "); on the free licence they would run over SSH"})
			}
			useSSH = free && err == nil
		}
		if useSSH {
			p.record(ops.Step{Via: "local", Action: "writes over SSH", Detail: "the host's licence refuses API writes (esxi.transport auto)"})
			p.h = p.f.ssh.DryRun(p.record)
			return
		}
		p.h = p.f.api.DryRun(p.record)
	})
	return p.h
}

func (p *fallbackPlan) MakeDir(ctx context.Context, dir string) error {
	return p.host(ctx).MakeDir(ctx, dir)
}

func (p *fallbackPlan) DeleteDir(ctx context.Context, dir string) error {
	return p.host(ctx).DeleteDir(ctx, dir)
}

func (p *fallbackPlan) CopyDisk(ctx context.Context, src, dst, controller string) error {
	return p.host(ctx).CopyDisk(ctx, src, dst, controller)
}

func (p *fallbackPlan) CopyFile(ctx context.Context, src, dst string) error {
	return p.host(ctx).CopyFile(ctx, src, dst)
}

func (p *fallbackPlan) DeleteDisk(ctx context.Context, path string) error {
	return p.host(ctx).DeleteDisk(ctx, path)
}

func (p *fallbackPlan) CreateVM(ctx context.Context, v *vm.NewVM) (vm.VMRef, error) {
	return p.host(ctx).CreateVM(ctx, v)
}

func (p *fallbackPlan) GrowDisk(ctx context.Context, ref vm.VMRef, path string, capacity int64) error {
	return p.host(ctx).GrowDisk(ctx, ref, path, capacity)
}

func (p *fallbackPlan) Power(ctx context.Context, ref vm.VMRef, op vm.PowerOp) error {
	return p.host(ctx).Power(ctx, ref, op)
}

func (p *fallbackPlan) Destroy(ctx context.Context, ref vm.VMRef) error {
	return p.host(ctx).Destroy(ctx, ref)
}

func (p *fallbackPlan) CreateSnapshot(ctx context.Context, ref vm.VMRef, name string) (string, error) {
	return p.host(ctx).CreateSnapshot(ctx, ref, name)
}

func (p *fallbackPlan) RemoveSnapshot(ctx context.Context, ref vm.VMRef, id string) error {
	return p.host(ctx).RemoveSnapshot(ctx, ref, id)
}

func (p *fallbackPlan) DryRun(record func(ops.Step)) vm.Host { return p.f.DryRun(record) }
