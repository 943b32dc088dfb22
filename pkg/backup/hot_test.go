package backup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// TestHotBackupOfRunningVM backs a running VM up without --power-off: it
// stays powered on throughout, the backup says how consistent it is, the
// snapshot is gone afterwards, the all-zero chunk is not stored, and a
// restore gives the disk bytes and the NVRAM of the time of the backup.
func TestHotBackupOfRunningVM(t *testing.T) {
	tests := []struct {
		name        string
		tools       bool
		consistency string
		note        string
	}{
		{"tools: quiesced", true, archive.ConsistencyQuiesced, "from a quiesced snapshot"},
		{"no tools: crash-consistent", false, archive.ConsistencyCrash, "VMware Tools are not running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, esxisim.Options{TemplateDiskSize: hotDiskSize})
			e.zeroChunk(t, src)
			nvram := []byte("EFI variables of the template")
			if err := os.WriteFile(filepath.Join(e.sim.DatastoreDir(), src, src+".nvram"), nvram, 0o644); err != nil {
				t.Fatal(err)
			}
			original := e.flat(t, src)
			e.power(t, src, vm.PoweredOn, tt.tools)
			stop := e.watchPower(t, src)
			var entry storage.Entry
			notes, err := runOp(t, func(ctx context.Context) (err error) {
				entry, err = Create(ctx, e.d, CreateRequest{VM: src, Readers: 2, Verify: true})
				return err
			})
			if seen := stop(); err != nil || len(seen) != 1 || seen[0] != vm.PoweredOn {
				t.Fatalf("Create: %v; power states seen %v", err, seen)
			}
			if entry.Metadata[metaConsistency] != tt.consistency || entry.Metadata[metaColdBackup] != "" || !entry.Verified() {
				t.Errorf("metadata = %v", entry.Metadata)
			}
			for _, want := range []string{tt.note, "4.0 MiB of all-zero chunks read and not stored", ", " + tt.consistency + ")"} {
				if !hasNote(notes, want) {
					t.Errorf("no note %q in %q", want, notes)
				}
			}
			if snaps := e.snapshots(t, src); len(snaps) != 0 {
				t.Errorf("snapshots left: %v", snaps)
			}
			l := e.load(t, entry)
			disk := l.manifest.OfKind(archive.KindDisk)[0]
			if disk.Format != archive.DiskStreamOptimized || l.config.Consistency != tt.consistency || l.config.PowerState != vm.PoweredOn {
				t.Errorf("disk %+v, config %+v", disk, l.config)
			}
			if disk.Size >= hotDiskSize-3<<20 {
				t.Errorf("the zero chunk was stored: %d bytes for a %d-byte disk", disk.Size, hotDiskSize)
			}
			if _, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web-restored"}); err != nil {
				t.Fatal(err)
			}
			if got := content(t, e.flat(t, "web-restored")); !bytes.Equal(got, original) {
				t.Fatalf("restored disk: %d bytes, sha %s; original %d bytes, sha %s", len(got), sha(got), len(original), sha(original))
			}
			e.checkNVRAM(t, "web-restored", nvram)
		})
	}
}

// TestHotBackupInterrupted cancels a hot backup in the middle of its read:
// it fails, the VM keeps running, its snapshot is removed and nothing is
// stored. A snapshot that a killed run left is removed by the next run.
func TestHotBackupInterrupted(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: hotDiskSize})
	e.power(t, src, vm.PoweredOn, true)
	e.faulty.WriteDelay(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(ctxT(t))
	go func() {
		for e.faulty.Written() == 0 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := Create(ctx, e.d, CreateRequest{VM: src, Readers: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if e.powerState(t, src) != vm.PoweredOn {
		t.Error("the VM stopped")
	}
	if snaps := e.snapshots(t, src); len(snaps) != 0 {
		t.Errorf("the cancelled backup left snapshots %v", snaps)
	}
	if list, _ := e.catalog.ListBackups(""); len(list) != 0 || len(e.tree(t)) != 0 {
		t.Errorf("left %d entries and files %v", len(list), e.tree(t))
	}

	// A run killed before it could clean up leaves its snapshot: the next
	// run removes it.
	e.faulty.WriteDelay(0)
	v, _ := e.h.Find(ctxT(t), src)
	if _, err := e.h.CreateSnapshot(ctxT(t), v, SnapshotPrefix+"20260101T000000Z-deadbeef", "", false); err != nil {
		t.Fatal(err)
	}
	notes, err := runOp(t, func(ctx context.Context) error { _, err := Create(ctx, e.d, CreateRequest{VM: src}); return err })
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(notes, `removed snapshot "ceso-backup-20260101T000000Z-deadbeef" of `+src+", which an interrupted backup left") {
		t.Errorf("notes = %q", notes)
	}
	if snaps := e.snapshots(t, src); len(snaps) != 0 {
		t.Errorf("snapshots after the next run: %v", snaps)
	}
}

// TestRemoveLeftoversKeepsOtherSnapshots: only ceso's snapshots are
// removed; a user's is not ceso's to touch.
func TestRemoveLeftoversKeepsOtherSnapshots(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	v, _ := e.h.Find(ctxT(t), src)
	for _, name := range []string{"before-upgrade", SnapshotPrefix + "20260101T000000Z-deadbeef", "ceso-backup"} {
		if _, err := e.h.CreateSnapshot(ctxT(t), v, name, "", false); err != nil {
			t.Fatal(err)
		}
	}
	b := &backupRun{d: e.d, req: CreateRequest{VM: src}, h: e.h, w: newWrites(e.d, e.h), v: v}
	if err := b.removeLeftovers(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if snaps := e.snapshots(t, src); !slices.Equal(snaps, []string{"before-upgrade", "ceso-backup"}) {
		t.Errorf("snapshots = %v", snaps)
	}
}

// TestHotBackupFallsBackToCrashConsistent: when the quiesced snapshot
// fails, the backup takes a crash-consistent one and says so.
func TestHotBackupFallsBackToCrashConsistent(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	e.power(t, src, vm.PoweredOn, true)
	e.sim.AddFault(esxisim.FaultRule{Method: "CreateSnapshot_Task", Fault: &types.ApplicationQuiesceFault{}, Count: 1})
	var entry storage.Entry
	notes, err := runOp(t, func(ctx context.Context) (err error) {
		entry, err = Create(ctx, e.d, CreateRequest{VM: src})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if entry.Metadata[metaConsistency] != archive.ConsistencyCrash || !hasNote(notes, "quiescing "+src+" failed") ||
		!hasNote(notes, "(quiescing failed)") {
		t.Errorf("metadata %v, notes %q", entry.Metadata, notes)
	}
	if snaps := e.snapshots(t, src); len(snaps) != 0 {
		t.Errorf("snapshots left: %v", snaps)
	}
}

// TestHotBackupSnapshotFailures: a snapshot that cannot be taken fails the
// backup with nothing left; one that cannot be removed keeps the backup
// and says what is left.
func TestHotBackupSnapshotFailures(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	e.power(t, src, vm.PoweredOn, false)
	remove := e.sim.AddFault(esxisim.FaultRule{Method: "CreateSnapshot_Task", Fault: &types.NoDiskSpace{}})
	if _, err := Create(ctxT(t), e.d, CreateRequest{VM: src}); err == nil || !strings.Contains(err.Error(), "taking snapshot") {
		t.Fatalf("err = %v", err)
	}
	remove()
	if list, _ := e.catalog.ListBackups(""); len(list) != 0 || len(e.tree(t)) != 0 {
		t.Errorf("left %d entries and files %v", len(list), e.tree(t))
	}
	e.sim.AddFault(esxisim.FaultRule{Method: "RemoveSnapshot_Task", Fault: &types.TaskInProgress{}, Count: 1})
	notes, err := runOp(t, func(ctx context.Context) error { _, err := Create(ctx, e.d, CreateRequest{VM: src}); return err })
	if err != nil || !hasNote(notes, "is left: removing it failed") || !hasNote(notes, "the next backup of the VM removes it") {
		t.Fatalf("err %v, notes %q", err, notes)
	}
	if snaps := e.snapshots(t, src); len(snaps) != 1 || !strings.HasPrefix(snaps[0], SnapshotPrefix) {
		t.Fatalf("snapshots = %v", snaps)
	}
	if _, err := Create(ctxT(t), e.d, CreateRequest{VM: src}); err != nil {
		t.Fatal(err)
	}
	if snaps := e.snapshots(t, src); len(snaps) != 0 {
		t.Errorf("the next run left %v", snaps)
	}
}

func TestCheckHotDisks(t *testing.T) {
	b := &backupRun{req: CreateRequest{VM: "web"}}
	tests := []struct {
		name  string
		disks []esxihost.DiskFile
		want  error
		say   string
	}{
		{"flat", []esxihost.DiskFile{{Path: "[ds] web/web.vmdk", Backing: "flat"}}, nil, ""},
		{"none", nil, nil, "no disk"},
		{"delta", []esxihost.DiskFile{{Path: "[ds] web/web-000001.vmdk", Backing: "seSparse", Parent: true}}, ErrSnapshots, "remove the VM's snapshots first"},
		{"raw mapping", []esxihost.DiskFile{{Path: "[ds] web/rdm.vmdk", Backing: "rdm"}}, ErrInvalidRequest, "--power-off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.checkHotDisks(esxihost.Layout{Disks: tt.disks})
			if tt.say == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.say) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v saying %q", err, tt.want, tt.say)
			}
		})
	}
}
