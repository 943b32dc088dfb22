package esxisim

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// WriteGuestDisk writes p at off into disk n (0 for the first, in device
// order) of a powered-on VM, as its guest would: into the newest delta
// while the VM has a snapshot, so that the disk state the snapshot keeps
// (the base "-flat.vmdk" for the first snapshot) does not change, and into
// the disk itself otherwise.
func (s *Simulator) WriteGuestDisk(vmName string, n int, off int64, p []byte) error {
	return s.withChain(vmName, n, true, func(c *diskChain) error {
		_, err := c.WriteAt(p, off)
		return err
	})
}

// ReadDisk returns the whole current content of disk n of a VM, read
// through its delta chain as the guest sees it: capacity bytes.
func (s *Simulator) ReadDisk(vmName string, n int) ([]byte, error) {
	var out []byte
	err := s.withChain(vmName, n, false, func(c *diskChain) error {
		out = make([]byte, c.capacity)
		_, err := c.ReadAt(out, 0)
		return err
	})
	return out, err
}

// withChain runs f on disk n of a VM, the VM locked.
func (s *Simulator) withChain(vmName string, n int, running bool, f func(*diskChain) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	ctx := s.internalContext(context.Background())
	vm := s.findVM(ctx, vmName)
	if vm == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchVM, vmName)
	}
	var err error
	ctx.WithLock(vm, func() { err = onDisk(ctx, vm, n, running, f) })
	return err
}

func onDisk(ctx *simulator.Context, vm *simulator.VirtualMachine, n int, running bool, f func(*diskChain) error) error {
	if running && vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		return fmt.Errorf("%w: %s is %s", ErrNotRunning, vm.Name, vm.Runtime.PowerState)
	}
	disks := vmDisks(ctx, vm)
	if n < 0 || n >= len(disks) {
		return fmt.Errorf("%w: %s has %d disks, asked for disk %d", ErrNoSuchDisk, vm.Name, len(disks), n)
	}
	local, _ := localPath(ctx, backingFile(disks[n].disk.Backing))
	c, err := openChain(local, diskCapacity(disks[n].disk))
	if err != nil {
		return fmt.Errorf("disk %d of %s: %w", n, vm.Name, err)
	}
	err = f(c)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}
