package stream

import "github.com/ceso/ceso/pkg/errkind"

// ErrMismatch is returned when data does not match its recorded size or
// SHA-256. The error is a *MismatchError.
var ErrMismatch = errkind.New(errkind.Unknown, "backup data does not match its manifest")

// MismatchError says which file differs and how.
type MismatchError struct {
	// File is the file's name.
	File string
	// What is "size" or "sha256", of the "stored" or the "decompressed" data.
	What string
	// Want and Got are the recorded and the found values.
	Want, Got string
}

func (e *MismatchError) Error() string {
	return e.File + ": " + e.What + " is " + e.Got + ", the manifest says " + e.Want
}

// Unwrap returns ErrMismatch.
func (e *MismatchError) Unwrap() error { return ErrMismatch }
