// Package simtest starts a simulated ESXi host for the tests of the backup
// packages and connects a client to it. Only tests import it.
package simtest
