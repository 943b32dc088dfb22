// Package storage is the backup catalog: one bbolt file that lists every
// backup ceso knows of, with its VM, time, size, location, checksum, status
// and last verification.
//
// # Guarantees
//
//   - Every commit is fsynced (bbolt's NoSync is never set); a writer killed
//     at any point leaves the file consistent, with every committed entry
//     whole. Check runs bbolt's consistency check.
//   - The file is created 0600 and its directory 0700.
//   - One process at a time: InitCatalog takes bbolt's file lock, waiting at
//     most the lock timeout (2 s unless WithLockTimeout says otherwise), and
//     then fails with a *LockedError ("catalog is in use by another ceso
//     (pid N)"). The holder writes its pid to "<path>.pid" after taking the
//     lock and removes it on Close; the file is only a hint for that message,
//     the lock itself is the flock.
//   - Entries are validated before they are stored (Entry.Validate).
//
// # Layout and schema
//
// Bucket "backups" maps an entry ID to the entry as JSON (the same JSON that
// "ceso backup list --json" prints). Bucket "meta" holds "schema_version", a
// decimal number; this code writes version 1. InitCatalog upgrades an older
// file in a single transaction, through the migration table in schema.go,
// and refuses a file whose version is newer than it knows (ErrSchemaTooNew)
// without changing it.
//
// Version 0 is the layout from before the schema key existed: a "backups"
// bucket whose entries carry no "status" field, because only whole backups
// were recorded then, and no "meta" bucket. Migration 0 → 1 marks each of
// those entries complete and writes the schema version.
//
// # Retention
//
// ApplyRetention computes decisions (package retention) over the catalog's
// entries and changes nothing. Deletion is the backup layer's job, in this
// order, so that the catalog never lists a backup that is not whole: mark
// the entry StatusDeleting (SetStatus), delete its files on the target, then
// DeleteBackup. An entry left in StatusDeleting by a crash is reported by
// ApplyRetention as a removal still to finish.
//
// The package knows nothing of ESXi, targets or files other than its own.
package storage
