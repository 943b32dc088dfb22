package vmx

import "errors"

var (
	// ErrInvalidKey: a key holds a character other than letters, digits
	// and . _ : -, or is empty or too long.
	ErrInvalidKey = errors.New("invalid vmx key")
	// ErrSyntax: a line of a .vmx file is not `key = value`.
	ErrSyntax = errors.New("vmx syntax error")
)
