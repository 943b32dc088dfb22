package cloudinit

import (
	"errors"
	"fmt"
)

// FieldError is a validation error tied to one field of a Spec, such as
// "nics[0].addresses[1]" or "users[2].name". It matches ErrInvalidSpec with
// errors.Is, and unwraps to the more precise cause.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalidSpec.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidSpec }

// fieldErr builds a FieldError with a formatted cause.
func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// errs collects field errors in order.
type errs []error

func (e *errs) add(err error) {
	if err != nil {
		*e = append(*e, err)
	}
}

func (e *errs) addf(field, format string, args ...any) {
	*e = append(*e, fieldErr(field, format, args...))
}

// joinErrs joins collected errors.
func joinErrs(e errs) error { return errors.Join(e...) }
