package audit

import (
	"errors"

	"github.com/ceso/ceso/pkg/errkind"
)

var (
	// ErrWrite is returned by Append when a record could not be written and
	// synced to disk. The caller must not run the operation (fail closed).
	ErrWrite = errkind.New(errkind.Refused, "audit record could not be written")

	// ErrDamaged is returned by Append and Checkpoint when the last line of
	// the log is not a whole record, so a new record cannot be chained to it.
	ErrDamaged = errkind.New(errkind.Refused, "the audit log ends with a damaged record")

	// ErrTampered is returned by Verify when the chain is broken: a record was
	// edited, deleted, inserted, reordered or cut. The error is a
	// *TamperError naming the file and line.
	ErrTampered = errkind.New(errkind.Refused, "audit log failed verification")

	// ErrNotRecord marks a line of the log that is not an audit record
	// (Line.Err).
	ErrNotRecord = errors.New("not an audit record")

	// ErrKey is returned when the HMAC key beside the log is unreadable,
	// damaged or readable by other users.
	ErrKey = errkind.New(errkind.Config, "audit key unusable")

	// ErrParams is returned when a record's params are not a JSON object or
	// a secret path is malformed.
	ErrParams = errkind.New(errkind.Usage, "audit params invalid")

	// ErrCheckpoint is returned by ParseCheckpoint for a malformed checkpoint.
	ErrCheckpoint = errkind.New(errkind.Usage, "malformed audit checkpoint")
)
