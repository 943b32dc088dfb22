package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"
)

// faultTable maps vSphere fault types to ceso's errors. Order matters: the
// first match wins, so specific faults come before their parents.
var faultTable = []struct {
	fault types.BaseMethodFault
	err   error
}{
	{&types.InvalidLogin{}, ErrInvalidLogin},
	{&types.NotAuthenticated{}, ErrNotAuthenticated},
	{&types.NoPermission{}, ErrNoPermission},
	{&types.RestrictedVersion{}, ErrRestrictedVersion},
	{&types.NotSupported{}, ErrNotSupported},
	{&types.TaskInProgress{}, ErrTaskInProgress},
	{&types.InvalidPowerState{}, ErrInvalidPowerState},
	{&types.NoDiskSpace{}, ErrNoDiskSpace},
	{&types.InsufficientStorageSpace{}, ErrNoDiskSpace},
	{&types.DuplicateName{}, ErrAlreadyExists},
	{&types.FileAlreadyExists{}, ErrAlreadyExists},
	{&types.AlreadyExists{}, ErrAlreadyExists},
	{&types.ManagedObjectNotFound{}, ErrNotFound},
	{&types.FileNotFound{}, ErrNotFound},
	{&types.NotFound{}, ErrNotFound},
	{&types.ToolsUnavailable{}, ErrToolsUnavailable},
	{&types.InvalidState{}, ErrInvalidState},
}

// Classify wraps err with the ceso error its vSphere fault stands for, so
// callers test with errors.Is and exit codes follow. It classifies by fault
// type, never by message text. Errors it does not know are returned as they
// are; an already classified error is not wrapped twice.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	for _, f := range faultTable {
		if errors.Is(err, f.err) {
			return err
		}
	}
	for _, f := range faultTable {
		if fault.Is(err, f.fault) {
			return fmt.Errorf("%w: %w", f.err, err)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrTimeout) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// IsFault reports whether err carries the vSphere fault of target's type.
func IsFault(err error, target types.BaseMethodFault) bool {
	return err != nil && fault.Is(err, target)
}
