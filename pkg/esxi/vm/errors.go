package vm

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrNotFound: no VM has that name.
	ErrNotFound = errkind.New(errkind.NotFound, "virtual machine not found")
	// ErrAmbiguous: more than one VM has that name.
	ErrAmbiguous = errkind.New(errkind.Usage, "more than one virtual machine has that name")
	// ErrInvalidFilter: a list filter is malformed.
	ErrInvalidFilter = errkind.New(errkind.Usage, "invalid filter")
)
