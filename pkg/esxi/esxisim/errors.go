package esxisim

import "errors"

var (
	// ErrInvalidOptions reports Options that cannot build a host.
	ErrInvalidOptions = errors.New("invalid simulator options")
	// ErrListen reports that the server could not listen on Options.Listen.
	ErrListen = errors.New("cannot listen")
	// ErrNoSuchVM reports a VM name that is not in the inventory.
	ErrNoSuchVM = errors.New("no such virtual machine")
	// ErrInvalidGuest reports a Guest whose addresses do not parse.
	ErrInvalidGuest = errors.New("invalid guest information")
	// ErrClosed reports a call on a closed simulator.
	ErrClosed = errors.New("simulator closed")
	// ErrNoSuchDisk reports a disk number the VM does not have.
	ErrNoSuchDisk = errors.New("no such virtual disk")
	// ErrNotRunning reports a guest disk write to a VM that is not powered on.
	ErrNotRunning = errors.New("virtual machine is not running")
	// ErrInternal reports an inconsistency inside the underlying vcsim model.
	ErrInternal = errors.New("simulator internal error")
)
