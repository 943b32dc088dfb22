package backup

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
)

// SnapshotPrefix begins the name of the snapshot a hot backup takes:
// "ceso-backup-<backup id>". Such a snapshot lives only while its backup
// runs; the next backup of the VM removes one that a killed run left.
const SnapshotPrefix = "ceso-backup-"

// snapshotRemoveTimeout bounds the removal of the backup's snapshot, which
// runs even when the backup was cancelled.
const snapshotRemoveTimeout = 10 * time.Minute

// runHot backs up a running VM without stopping it: a snapshot (quiesced
// when VMware Tools run, crash-consistent otherwise) freezes the disks'
// files while the VM writes to new delta files; the frozen files are read
// over the datastore's HTTPS file access with Range requests, several in
// flight, and written as streamOptimized VMDKs, all-zero grains left out;
// the snapshot is removed (its changes merged back) whatever the outcome.
//
// The VM's disks must be flat with no snapshot of their own: a chain of
// deltas cannot be read as files. An export lease on the snapshot
// (VirtualMachineSnapshot.ExportSnapshot) is not used: standalone ESXi's
// support for it is not established, and a path no test can run is not
// taken.
func (b *backupRun) runHot(ctx context.Context, tools bool) (storage.Entry, error) {
	info, err := b.h.Info(ctx, b.req.VM)
	if err != nil {
		return storage.Entry{}, err
	}
	b.info = info
	layout, err := b.h.Layout(ctx, b.v)
	if err != nil {
		return storage.Entry{}, err
	}
	if err := b.checkHotDisks(layout); err != nil {
		return storage.Entry{}, err
	}
	disks, err := b.hotDisks(ctx, layout)
	if err != nil {
		return storage.Entry{}, err
	}
	snap, err := b.takeSnapshot(ctx, tools)
	if err != nil {
		return storage.Entry{}, err
	}
	var once sync.Once
	var removeErr error
	remove := func() error {
		once.Do(func() { removeErr = b.dropSnapshot(ctx, snap) })
		return removeErr
	}
	defer func() { _ = remove() }()
	tmp := archive.TempDir(b.req.VM, b.id)
	fail := b.failure(ctx, tmp, func(error) error { return remove() })
	files, err := b.storeHotDisks(ctx, tmp, disks)
	if err != nil {
		return fail(err)
	}
	nv, err := b.storeFolderNVRAM(ctx, tmp, layout, "a hot backup reads it from the datastore")
	if err != nil {
		return fail(err)
	}
	if err := remove(); err != nil {
		// The data is whole: keep the backup and say what is left.
		note(ctx, b.d, "%v", err)
	}
	return b.finish(ctx, tmp, append(files, nv...), fail)
}

// checkHotDisks refuses disks a hot backup cannot read as files.
func (b *backupRun) checkHotDisks(l esxihost.Layout) error {
	if len(l.Disks) == 0 {
		return fmt.Errorf("%q has no disk to back up", b.req.VM)
	}
	for _, d := range l.Disks {
		switch {
		case d.Parent:
			return fmt.Errorf("%w: %q: disk %s is a %s delta on a parent disk; a hot backup reads flat disks: remove the VM's snapshots first, or back it up cold with --power-off",
				ErrSnapshots, b.req.VM, d.Path, d.Backing)
		case d.Backing != "flat":
			return fmt.Errorf("%w: %q: disk %s has a %s backing, which a hot backup cannot read as a file; back it up cold with --power-off",
				ErrInvalidRequest, b.req.VM, d.Path, d.Backing)
		}
	}
	return nil
}

// removeLeftovers removes the snapshots named SnapshotPrefix… that killed
// backups of the VM left: the VM's lock is held, so none belongs to a
// backup still running.
func (b *backupRun) removeLeftovers(ctx context.Context) error {
	snaps, err := b.h.Snapshots(ctx, b.v)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		if !strings.HasPrefix(s.Name, SnapshotPrefix) {
			continue
		}
		if err := b.w.removeSnapshot(ctx, b.v, b.req.VM, s); err != nil {
			return fmt.Errorf("removing snapshot %q, which an interrupted backup left: %w", s.Name, err)
		}
		note(ctx, b.d, "removed snapshot %q of %s, which an interrupted backup left", s.Name, b.req.VM)
	}
	return nil
}

// takeSnapshot takes the backup's snapshot: quiesced when VMware Tools
// run, crash-consistent otherwise or when quiescing fails. It sets the
// backup's consistency.
func (b *backupRun) takeSnapshot(ctx context.Context, tools bool) (esxihost.Snapshot, error) {
	snap := esxihost.Snapshot{Name: SnapshotPrefix + b.id, Description: "taken by ceso for backup " + b.id + "; removed when the backup ends"}
	if tools {
		r, err := b.w.createSnapshot(ctx, b.v, b.req.VM, snap.Name, snap.Description, true)
		if err == nil {
			snap.Ref, b.consistency = r, archive.ConsistencyQuiesced
			note(ctx, b.d, "hot backup of running %s from a quiesced snapshot %q", b.req.VM, snap.Name)
			return snap, nil
		}
		if ctx.Err() != nil {
			return snap, err
		}
		note(ctx, b.d, "quiescing %s failed (%v): taking a crash-consistent snapshot instead", b.req.VM, err)
		if err := b.removeLeftovers(ctx); err != nil {
			return snap, err
		}
	}
	r, err := b.w.createSnapshot(ctx, b.v, b.req.VM, snap.Name, snap.Description, false)
	if err != nil {
		return snap, err
	}
	snap.Ref, b.consistency = r, archive.ConsistencyCrash
	why := "VMware Tools are not running"
	if tools {
		why = "quiescing failed"
	}
	note(ctx, b.d, "hot backup of running %s from a crash-consistent snapshot %q (%s): the guest's file systems are as after a power cut",
		b.req.VM, snap.Name, why)
	return snap, nil
}

// dropSnapshot removes the backup's snapshot, even after ctx ended.
func (b *backupRun) dropSnapshot(ctx context.Context, snap esxihost.Snapshot) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotRemoveTimeout)
	defer cancel()
	if err := b.w.removeSnapshot(rctx, b.v, b.req.VM, snap); err != nil {
		return fmt.Errorf("the snapshot %q of %s is left: removing it failed (%w); the next backup of the VM removes it, or remove it yourself",
			snap.Name, b.req.VM, err)
	}
	return nil
}
