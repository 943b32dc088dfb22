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
	// ErrInternal reports an inconsistency inside the underlying vcsim model.
	ErrInternal = errors.New("simulator internal error")
)
