package vm

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/vim25/types"
)

// run makes the new VM through j and returns it. On a dry run it only
// records the steps.
func (p *copyPlan) run(ctx context.Context, c *client.Client, j *job) (*Result, error) {
	if c.IsVCenter() {
		return p.runVCenter(ctx, c, j)
	}
	if err := p.prepareSource(ctx, c, j); err != nil {
		return nil, err
	}
	dir := p.dir
	if err := j.do(ctx, "making folder "+dir, func(ctx context.Context) error { return j.h.MakeDir(ctx, dir) },
		&undoStep{what: "folder " + dir, remove: removeDirHint(dir), fn: func(ctx context.Context) error {
			return ignoreNotFound(j.h.DeleteDir(ctx, dir))
		}}); err != nil {
		return nil, err
	}
	for _, d := range p.copies {
		if err := j.do(ctx, fmt.Sprintf("copying disk %s to %s", d.src, d.dst),
			func(ctx context.Context) error { return j.h.CopyDisk(ctx, d.src, d.dst, d.controller) },
			&undoStep{what: "disk " + d.dst, remove: removeDiskHint(d.dst), fn: func(ctx context.Context) error {
				return ignoreNotFound(j.h.DeleteDisk(ctx, d.dst))
			}}); err != nil {
			return nil, err
		}
	}
	if n := p.nvram; n != nil {
		// removed with the folder on a rollback
		if err := j.do(ctx, fmt.Sprintf("copying NVRAM %s to %s", n.src, n.dst),
			func(ctx context.Context) error { return j.h.CopyFile(ctx, n.src, n.dst) }, &undoStep{}); err != nil {
			return nil, err
		}
	}
	// The source is restored (powered on again, snapshot removed) as soon
	// as its disks (and NVRAM) are copied.
	restoreLeft := j.settle(ctx)
	ref, err := p.createVM(ctx, c, j)
	if err != nil {
		return nil, err
	}
	res, err := p.finish(ctx, c, j, ref)
	if err != nil {
		return nil, err
	}
	if len(restoreLeft) > 0 {
		return res, &StepError{Op: j.op, Step: "restoring the source VM after the copy", Err: restoreLeft[0].Err, Left: restoreLeft}
	}
	return res, nil
}

// createVM registers the new VM. If the call broke off, the undo looks the
// VM up by name and path, since it may exist.
func (p *copyPlan) createVM(ctx context.Context, c *client.Client, j *job) (VMRef, error) {
	var ref VMRef
	remove := removeVMHint(VMRef{Name: p.vm.Name}) + "; if only files appear, " + removeDirHint(p.dir)
	undo := &undoStep{what: "VM " + p.vm.Name, remove: remove, fn: func(ctx context.Context) error {
		r := ref
		if r.ID == "" {
			found, err := p.findCreated(ctx, c)
			if err != nil {
				return err
			}
			if found.ID == "" {
				return errMayAppear
			}
			r = found
		}
		return ignoreNotFound(j.h.Destroy(ctx, r))
	}}
	err := j.do(ctx, fmt.Sprintf("creating VM %q", p.vm.Name), func(ctx context.Context) error {
		var err error
		ref, err = j.h.CreateVM(ctx, p.vm)
		return err
	}, undo)
	return ref, err
}

// errMayAppear: a create the host did not answer left no VM yet, but the
// host may still be working on it.
var errMayAppear = errors.New("the host did not answer the create and the VM is not registered yet; it may still appear")

// findCreated finds the new VM after a create whose answer was lost.
func (p *copyPlan) findCreated(ctx context.Context, c *client.Client) (VMRef, error) {
	inv, err := loadInventory(ctx, c)
	if err != nil {
		return VMRef{}, err
	}
	for _, r := range inv.vms[p.vm.Name] {
		if inv.vmPaths[r] == p.vm.Path {
			return VMRef{ID: r.Value, Name: p.vm.Name}, nil
		}
	}
	return VMRef{}, nil
}

// finish grows the disk, powers on, waits for an address and describes
// the new VM.
func (p *copyPlan) finish(ctx context.Context, c *client.Client, j *job, ref VMRef) (*Result, error) {
	if p.grow > 0 {
		disk := p.vm.Disks[0].Path
		if err := j.do(ctx, fmt.Sprintf("growing disk %s to %s", disk, FormatBytes(p.grow)),
			func(ctx context.Context) error { return j.h.GrowDisk(ctx, ref, disk, p.grow) }, &undoStep{}); err != nil {
			return nil, err
		}
	}
	if p.r.powerOn {
		if err := j.do(ctx, "powering on "+ref.Name, func(ctx context.Context) error { return j.h.Power(ctx, ref, PowerOn) },
			&undoStep{what: "power of " + ref.Name, remove: removeVMHint(ref), fn: func(ctx context.Context) error {
				return ignorePowerState(j.h.Power(ctx, ref, PowerOff))
			}}); err != nil {
			return nil, err
		}
	}
	var ip string
	if p.r.waitIP > 0 {
		step := ops.Step{Via: "api", Action: fmt.Sprintf("PropertyCollector.WaitForUpdatesEx %s guest.ipAddress (up to %s)", ref.Name, p.r.waitIP)}
		err := j.read(ctx, step, func(ctx context.Context) error {
			var err error
			ip, err = waitIP(ctx, c, moRef(ref), ref.Name, p.r.waitIP)
			return err
		})
		if err != nil {
			return nil, j.fail(ctx, "waiting for the guest's IP address", err)
		}
	}
	if j.dry() {
		return &Result{Name: ref.Name, Path: p.vm.Path}, nil
	}
	res, err := describeNew(ctx, c, ref)
	if err != nil {
		return nil, fmt.Errorf("%s succeeded but reading the new VM failed: %w", j.op, err)
	}
	if ip != "" {
		res.IP = ip
	}
	return res, nil
}

func moRef(ref VMRef) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VirtualMachine", Value: ref.ID}
}

// describeNew reads the new VM back for the Result.
func describeNew(ctx context.Context, c *client.Client, ref VMRef) (*Result, error) {
	vm, err := fetch(ctx, c, moRef(ref), infoProps)
	if err != nil {
		return nil, err
	}
	info := describe(vm)
	res := &Result{
		Name: info.Name, ID: info.ID, Path: info.Path, UUID: info.UUID, PowerState: info.PowerState,
		IP: info.IP, MACs: []string{}, Disks: []string{},
	}
	for _, n := range info.NICs {
		res.MACs = append(res.MACs, n.MAC)
	}
	for _, d := range info.Disks {
		res.Disks = append(res.Disks, d.Path)
	}
	return res, nil
}

// ignorePowerState treats "already in that state" as done, for undo steps.
func ignorePowerState(err error) error {
	if client.IsFault(err, &types.InvalidPowerState{}) {
		return nil
	}
	return ignoreNotFound(err)
}
