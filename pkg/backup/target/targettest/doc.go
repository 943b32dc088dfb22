// Package targettest holds what tests of backup targets share: the
// conformance suite every target.Target implementation must pass (Run), and
// a fault-injecting wrapper (Faulty) that makes any target fill up, fail a
// call or write slowly. Only tests import it.
package targettest
