// Package audit writes and verifies ceso's audit log: one JSON line per
// operation start and end, encoded with zerolog, appended to a 0600 file in
// a 0700 directory.
//
// # Guarantees
//
//   - Fail closed: Append returns an error wrapping ErrWrite unless the
//     record was written whole and fsynced; a partial line is taken back.
//     The caller must then not run the operation.
//   - Secrets: the values of the params named by Record.Secrets are replaced
//     by "hmac-sha256:<hex>" under a per-installation key kept beside the
//     log (KeyPath, 0600), as Vault's audit log does; the same values are
//     hashed where they appear in the error and notes. Key.HashSecret gives
//     the hash of a known value, to search the log for it.
//   - Tamper evidence: every line carries seq (1, 2, … across rotated
//     files), prev (the hash of the line before; 64 zeros for the first) and
//     hash, the SHA-256 of the line without its hash field. Verify names the
//     first edited, deleted, inserted or reordered record by file and line.
//     The chain is not keyed: whoever can write the file can rewrite and
//     re-hash all of it, and cut the newest records. A Checkpoint (count and
//     head hash) kept elsewhere detects both.
//   - Rotation: when a record would take the file past Options.MaxSize, the
//     file is renamed "path.N" (N = 1, 2, … oldest first, never reused) and
//     a new file starts whose first record links to the old file's last.
//   - Writers are serialised within a process by a mutex and across
//     processes by an flock on "path.lock"; the head of the chain is read
//     again under the lock whenever the file changed since this process
//     last wrote.
//   - ReadRecords and Verify never panic on damaged input (fuzzed).
//
// ops.go alone maps the runner's ops.Record to a Record. The package must
// not import the CLI or any ESXi package.
package audit
