package vmlock

import (
	"fmt"

	"github.com/ceso/ceso/pkg/errkind"
)

// ErrBusy is returned when another operation holds the VM's lock. The error
// is a *BusyError.
var ErrBusy = errkind.New(errkind.Refused, "another backup operation is running on this VM")

// ErrUnsupported is returned on systems without flock(2).
var ErrUnsupported = errkind.New(errkind.Refused, "per-VM locks are not supported on this system")

// BusyError names the VM and, when known, the holder.
type BusyError struct {
	VM string
	// Holder is what the holder wrote: "pid 1234: backup", or "".
	Holder string
}

func (e *BusyError) Error() string {
	holder := ""
	if e.Holder != "" {
		holder = " (" + e.Holder + ")"
	}
	return fmt.Sprintf("%s: VM %q%s; wait for it to finish and run the command again", ErrBusy, e.VM, holder)
}

// Unwrap returns ErrBusy, so errors.Is and errkind.Of see it.
func (e *BusyError) Unwrap() error { return ErrBusy }
