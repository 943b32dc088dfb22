// Package target stores backup files: in a local directory (a NAS mount, a
// USB disk) or on a datastore of the ESXi host, under [DATASTORE]
// ceso-backups/, over the host's HTTPS file access (/folder URLs) and its
// FileManager. Both implement Target, and one conformance suite
// (targettest.Run) checks them alike.
//
// # Guarantees
//
//   - A file made with Create is written under its name plus
//     archive.TempSuffix and appears under its own name only when Commit
//     succeeds, after its size has been checked against the bytes written.
//     A crash leaves at most the temporary name, which the backup layer
//     reports and removes on its next run. Abort, and a failed Commit,
//     remove it, and on a datastore only once the host has answered the
//     upload, so that a host still working on it cannot store it again
//     after the removal.
//   - Rename never replaces: renaming onto an existing name fails with
//     ErrExist. The backup layer renames a finished backup directory into
//     place with it, so a directory without the temporary suffix is whole.
//   - A local target's root must exist: ceso never creates it, so that an
//     unmounted disk is reported instead of filling the root file system.
//     Files are fsynced before they are renamed, and directories after.
//   - Paths are relative, slash-separated and clean; anything else is
//     refused with ErrInvalidPath before any I/O.
//
// Memory does not grow with file size: data is streamed, never buffered
// whole. The package knows nothing of backups, VMs or the catalog.
package target
