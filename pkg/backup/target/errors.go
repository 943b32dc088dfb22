package target

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrNotExist: the file or directory does not exist.
	ErrNotExist = errkind.New(errkind.NotFound, "no such file on the backup target")
	// ErrExist: a file or directory of that name exists.
	ErrExist = errkind.New(errkind.Refused, "a file of that name already exists on the backup target")
	// ErrInvalidPath: the path is not relative, clean and slash-separated.
	ErrInvalidPath = errkind.New(errkind.Usage, "invalid path on the backup target")
	// ErrFull: the target has no space left.
	ErrFull = errkind.New(errkind.Refused, "the backup target is full: free space on it or choose another target with --target")
	// ErrUnavailable: the target's root cannot be used (missing, not a
	// directory, unmounted disk, unknown datastore).
	ErrUnavailable = errkind.New(errkind.Config, "the backup target is not available")
	// ErrUnknownTarget: no target of that name is configured.
	ErrUnknownTarget = errkind.New(errkind.Config, "no backup target of that name is configured (see backup.targets)")
	// ErrNeedsHost: a datastore target was used without a host connection.
	ErrNeedsHost = errkind.New(errkind.Config, "a datastore target needs a connection to the ESXi host")
	// ErrClosed: the file was already committed or aborted.
	ErrClosed = errkind.New(errkind.Unknown, "the file on the backup target is already closed")
)
