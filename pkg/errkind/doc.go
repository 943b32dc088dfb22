// Package errkind sorts ceso's errors into the few kinds a user or a script
// acts on (not found, refused, connection, ...). Domain packages declare their
// sentinel errors with a kind; the CLI maps kinds to exit codes in one place.
// It imports nothing of ceso.
package errkind
