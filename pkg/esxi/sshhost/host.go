package sshhost

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// Inventory finds VMs over a channel that can read the host; the API,
// whose reads every licence allows.
type Inventory interface {
	// VMByPath returns the VM whose .vmx is at path ("[ds] dir/vm.vmx").
	VMByPath(ctx context.Context, path string) (vm.VMRef, error)
}

// Options tune a Host.
type Options struct {
	// Inventory, when set, gives a VM registered over SSH the reference the
	// API knows it by (on a standalone host it is the vmid itself), so that
	// the caller can read it back over the API. Without it CreateVM returns
	// the vmid.
	Inventory Inventory
}

// Host makes the lifecycle's changes with the host's own tools over SSH:
// vim-cmd for registration, power, snapshots and destruction; vmkfstools
// for disks; mkdir, rm and the shell's printf for folders and the .vmx.
// It is what a host on the free licence allows. It is safe for concurrent
// use.
type Host struct {
	run  Runner
	opts Options

	mu    sync.Mutex
	vmids map[string]string // VMRef.ID → vmid, for references that are not vmids
}

var _ vm.Host = (*Host)(nil)

// New returns a Host that runs its commands with r.
func New(r Runner, opts Options) *Host {
	return &Host{run: r, opts: opts, vmids: map[string]string{}}
}

// exec runs cmd and returns its result; a failure to run it is classified.
func (h *Host) exec(ctx context.Context, cmd ssh.Command) (ssh.Result, error) {
	res, err := h.run.Run(ctx, cmd)
	if err != nil {
		return res, classify(err)
	}
	return res, nil
}

// simple runs a command whose success prints nothing worth reading.
func (h *Host) simple(ctx context.Context, cmd ssh.Command, build error) error {
	if build != nil {
		return build
	}
	res, err := h.exec(ctx, cmd)
	if err != nil {
		return err
	}
	return classify(res.Err())
}

// MakeDir runs mkdir. The parent (the datastore's root) must exist, and
// the folder must not.
func (h *Host) MakeDir(ctx context.Context, dir string) error {
	cmd, err := mkdir(dir)
	if err := h.simple(ctx, cmd, err); err != nil {
		return fmt.Errorf("making folder %s over ssh: %w", dir, mkdirError(err))
	}
	return nil
}

// mkdirError tells "File exists" apart from other failures of mkdir.
func mkdirError(err error) error {
	var exit *ssh.ExitError
	if errors.As(err, &exit) && containsFold(exit.Text, "file exists") {
		return fmt.Errorf("%w: %w", client.ErrAlreadyExists, err)
	}
	return err
}

// DeleteDir runs rm -rf on a VM's folder (a folder directly under a
// datastore's root, nothing else).
func (h *Host) DeleteDir(ctx context.Context, dir string) error {
	cmd, err := ssh.RemoveVMDir(dir)
	if err := h.simple(ctx, cmd, err); err != nil {
		return fmt.Errorf("deleting folder %s over ssh: %w", dir, err)
	}
	return nil
}

// CopyDisk runs vmkfstools -i SRC -d thin DST. The adapter type stays the
// source's: vmkfstools ignores -a (deprecated) on ESXi 6.7 and later, and
// a guest finds its disk whatever the descriptor says.
func (h *Host) CopyDisk(ctx context.Context, src, dst, _ string) error {
	cmd, err := ssh.CloneDisk(src, dst)
	if err != nil {
		return fmt.Errorf("copying disk %s to %s over ssh: %w", src, dst, err)
	}
	res, err := h.exec(ctx, cmd)
	if err == nil {
		err = classify(ssh.ParseVmkfstools(res.Output(), res.ExitStatus))
	}
	if err != nil {
		return fmt.Errorf("copying disk %s to %s over ssh: %w", src, dst, err)
	}
	return nil
}

// CopyFile runs cp SRC DST.
func (h *Host) CopyFile(ctx context.Context, src, dst string) error {
	cmd, err := copyFile(src, dst)
	if err := h.simple(ctx, cmd, err); err != nil {
		return fmt.Errorf("copying %s to %s over ssh: %w", src, dst, err)
	}
	return nil
}

// DeleteDisk runs vmkfstools -U.
func (h *Host) DeleteDisk(ctx context.Context, path string) error {
	cmd, err := deleteDisk(path)
	if err == nil {
		err = h.vmkfstools(ctx, cmd)
	}
	if err != nil {
		return fmt.Errorf("deleting disk %s over ssh: %w", path, err)
	}
	return nil
}

// vmkfstools runs a vmkfstools command other than a clone: success prints
// no error text and exits 0.
func (h *Host) vmkfstools(ctx context.Context, cmd ssh.Command) error {
	res, err := h.exec(ctx, cmd)
	if err != nil {
		return err
	}
	err = ssh.ParseVmkfstools(res.Output(), res.ExitStatus)
	if errors.Is(err, ssh.ErrIncomplete) && res.ExitStatus == 0 {
		return nil // no "Clone: 100% done." to expect
	}
	return classify(err)
}

// GrowDisk runs vmkfstools -X on the disk, then vim-cmd vmsvc/reload so
// that hostd reads the new size.
func (h *Host) GrowDisk(ctx context.Context, ref vm.VMRef, path string, capacity int64) error {
	fail := func(err error) error {
		return fmt.Errorf("growing disk %s of VM %q over ssh: %w", path, ref.Name, err)
	}
	cmd, err := growDisk(path, capacity)
	if err != nil {
		return fail(err)
	}
	vmid, err := h.vmid(ctx, ref)
	if err != nil {
		return fail(err)
	}
	if err := h.vmkfstools(ctx, cmd); err != nil {
		return fail(err)
	}
	reload, err := ssh.Reload(vmid)
	if err := h.simple(ctx, reload, err); err != nil {
		return fail(err)
	}
	return nil
}

// Destroy runs vim-cmd vmsvc/destroy.
func (h *Host) Destroy(ctx context.Context, ref vm.VMRef) error {
	vmid, err := h.vmid(ctx, ref)
	if err == nil {
		cmd, berr := ssh.Destroy(vmid)
		err = h.simple(ctx, cmd, berr)
	}
	if err != nil {
		return fmt.Errorf("destroying VM %q over ssh: %w", ref.Name, err)
	}
	h.forget(ref)
	return nil
}

// DryRun returns a Host that records the exact command lines and runs
// nothing.
func (h *Host) DryRun(record func(ops.Step)) vm.Host { return &plan{h: h, record: record} }
