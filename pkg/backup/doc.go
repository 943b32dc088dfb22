// Package backup is ceso's backup engine: it backs a VM up to a target,
// verifies, restores, deletes and prunes backups, and keeps the catalog and
// the targets consistent across crashes.
//
// # Operations
//
//	Create(ctx, deps, CreateRequest) (storage.Entry, error)
//	Verify(ctx, deps, id) (VerifyResult, error)
//	VerifyAll(ctx, deps, vm) ([]VerifyResult, error)
//	Restore(ctx, deps, RestoreRequest) (RestoreResult, error)
//	Delete(ctx, deps, id, DeleteOptions) error
//	Prune(ctx, deps, policy, vm, dryRun) ([]retention.Decision, error)
//	CleanTemp(ctx, deps, target) (CleanReport, error)
//	ResumeDeletions(ctx, deps) ([]string, error)
//	Housekeep(ctx, deps) (HousekeepReport, error)
//	PlanCreate / PlanVerify / PlanRestore / PlanDelete / PlanPrune → []ops.Step
//
// Deps carries the host session, the SSH runner of the host's shell (nil
// for the API only), the catalog (*storage.Catalog, or a FileCatalog that
// holds the catalog's lock per call only), the targets, a lock directory,
// the compression settings, a progress writer, a clock, an Observer for
// metrics (Metrics, from RegisterMetrics) and a logger.
//
// # How a VM is backed up
//
// A powered-off VM (or one shut down for the backup with PowerOff) is
// exported through an NFC lease. A running VM is backed up hot (hot.go): a
// snapshot named SnapshotPrefix+ID (quiesced when VMware Tools run), its
// frozen disks read over the datastore's HTTPS file access with several
// Range requests in flight (package rangeread) and stored as
// streamOptimized VMDKs with all-zero chunks left out, the snapshot removed
// whatever the outcome. The VM's NVRAM file is kept either way (nvram.go).
//
// Changes to VMs go through writes (writes.go): over the API and, when the
// host's licence refuses one with RestrictedVersion, over SSH with vim-cmd,
// each such step noted. A restore the licence refuses to import
// (ImportVApp) is made with the host's own tools (restore_shell.go):
// uploads over the datastore's file access, vmkfstools -i, a .vmx written
// over SSH and vim-cmd solo/registervm.
//
// # Guarantees
//
//   - Nothing is listed that is not whole: a backup is written into a
//     temporary directory, renamed into place once every file is stored
//     and its size checked, and recorded in the catalog only then.
//   - Every byte is checked: each file's SHA-256 and size, compressed and
//     not, are in the manifest, whose SHA-256 the catalog records; the
//     host's NFC manifest (SHA-1) is compared with what was transferred,
//     both ways; Verify re-reads everything; Restore checks the archive
//     before it changes anything and checks every disk while uploading it,
//     withholding the last bytes of a wrong file and removing the partial
//     VM.
//   - Nothing deleted is the last good copy: Delete keeps a VM's last good
//     backup unless forced; Prune never removes the newest verified backup
//     and refuses to leave a VM without a good one; a failed run never
//     displaces a good backup (package retention).
//   - Crashes leave only temporary files (archive.TempSuffix), which
//     CleanTemp removes on the next run, and deletions marked in the
//     catalog, which ResumeDeletions finishes. Housekeep does both.
//   - One operation per VM at a time, across processes (package vmlock):
//     a second backup of a VM is refused at once.
//   - A VM powered off for a backup is powered on again, whatever the
//     outcome; a hot backup's snapshot is removed whatever the outcome, and
//     one a killed run left is removed by the VM's next backup; a running
//     VM is never stopped unless PowerOff says so. A VM being replaced by a
//     restore gets its name (or its registration) and power state back if
//     the restore fails.
//   - An EFI VM is not backed up without its NVRAM file (ErrNoNVRAM).
//   - Memory does not grow with disk size: disks are streamed in bounded
//     chunks (package stream), never through a temporary file.
//
// # Layout
//
// The archive format is package archive (and docs/backup-format.md,
// docs/backup.md); targets are package target; the vSphere side is package
// esxihost, the shell side pkg/esxi/sshhost's; parallel range reads are
// package rangeread; retention decisions are package retention.
//
// The package imports neither the CLI nor the server; the CLI builds Deps
// from its factory and wraps each operation in an ops.Op.
package backup
