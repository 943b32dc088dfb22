package ops

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrDenied is returned when the sandbox refuses an operation.
	ErrDenied = errkind.New(errkind.Refused, "operation not allowed")
	// ErrAudit is returned when the audit record cannot be written: the
	// operation does not run.
	ErrAudit = errkind.New(errkind.Refused, "audit record could not be written; the operation was not run")
	// ErrInvalidOp is returned for an Op without a name or a Run function.
	ErrInvalidOp = errkind.New(errkind.Usage, "invalid operation")
)
