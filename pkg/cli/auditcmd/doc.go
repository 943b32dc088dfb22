// Package auditcmd assembles `ceso audit`: verify the hash-chained audit
// log (pkg/audit) and name the first record that was edited, deleted,
// inserted or reordered; print its head as a checkpoint to keep elsewhere;
// and print the HMAC a known secret takes in it, to search for it. These
// are local tools, not catalog operations: they read the log and its key and
// never reach a host.
package auditcmd
