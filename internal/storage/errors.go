package storage

import (
	"errors"
	"fmt"

	"github.com/ceso/ceso/pkg/errkind"
)

var (
	// ErrNotFound is returned when no entry has the requested ID.
	ErrNotFound = errkind.New(errkind.NotFound, "backup not found in catalog")

	// ErrExists is returned by AddBackup when an entry with the same ID is
	// already stored.
	ErrExists = errkind.New(errkind.Refused, "backup already in catalog")

	// ErrInvalidEntry is returned when an entry fails validation.
	ErrInvalidEntry = errors.New("invalid catalog entry")

	// ErrLocked is returned by InitCatalog when another process holds the
	// catalog for longer than the lock timeout. The error is a *LockedError.
	ErrLocked = errkind.New(errkind.Refused, "catalog is in use by another ceso")

	// ErrSchemaTooNew is returned by InitCatalog when the file was written by
	// a newer ceso with a schema this code does not know.
	ErrSchemaTooNew = errkind.New(errkind.Config, "catalog schema is newer than this ceso supports")

	// ErrCorrupt is returned when a stored record cannot be decoded.
	ErrCorrupt = errors.New("catalog record is unreadable")

	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("catalog is closed")
)

// LockedError says which process holds the catalog. It matches ErrLocked
// with errors.Is.
type LockedError struct {
	// Path is the catalog file.
	Path string
	// PID is the holder's process id, or 0 when it could not be read.
	PID int
}

func (e *LockedError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = fmt.Sprintf("pid %d", e.PID)
	}
	return fmt.Sprintf("%s (%s): %s; stop that process or wait for it to finish", ErrLocked, pid, e.Path)
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }
