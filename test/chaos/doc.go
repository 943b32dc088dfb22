// Package chaos runs fault scenarios against the ESXi simulator: a network
// partition in the middle of a create, a datastore that fills up during a
// clone, an API call slower than its deadline, concurrent operations on one
// VM and on many, and templates that cannot be copied. Its tests build only
// with -tags=chaos and should run with -race:
//
//	go test -race -tags=chaos ./test/chaos/
//
// It holds tests only and must not be imported.
package chaos
