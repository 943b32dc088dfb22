package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// TestNVRAM: a cold backup keeps the VM's NVRAM file (the simulator's
// export lease offers none, so it is read from the datastore, as on a
// host whose lease leaves it out), lists it in the manifest, the .mf and
// the record, and a restore puts it back and names it; an EFI VM without
// one fails clearly, cold or hot, and a BIOS VM without one is noted.
func TestNVRAM(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	nvramFile := filepath.Join(e.sim.DatastoreDir(), src, src+".nvram")
	want := []byte("boot entries and Secure Boot keys")
	if err := os.WriteFile(nvramFile, want, 0o644); err != nil {
		t.Fatal(err)
	}
	var entry storage.Entry
	notes, err := runOp(t, func(ctx context.Context) (err error) {
		entry, err = Create(ctx, e.d, CreateRequest{VM: src})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	l := e.load(t, entry)
	f, ok := l.manifest.Find(src + ".nvram")
	if !ok || f.Kind != archive.KindNVRAM || f.Size != int64(len(want)) || f.SHA256 != sha(want) || l.config.NVRAM != f.Name {
		t.Fatalf("nvram file %+v (found %v), record %q", f, ok, l.config.NVRAM)
	}
	if hasNote(notes, "no NVRAM") {
		t.Errorf("notes = %q", notes)
	}
	if _, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "copy"}); err != nil {
		t.Fatal(err)
	}
	e.checkNVRAM(t, "copy", want)

	if err := os.Remove(nvramFile); err != nil {
		t.Fatal(err)
	}
	for _, running := range []bool{false, true} {
		if running {
			// ESXi writes a missing NVRAM file at power-on: take it away
			// again while the VM runs.
			e.power(t, src, vm.PoweredOn, true)
			if err := os.Remove(nvramFile); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Create(ctxT(t), e.d, CreateRequest{VM: src})
		if !errors.Is(err, ErrNoNVRAM) || errkind.Of(err) != errkind.Refused || !strings.Contains(err.Error(), "may not boot") {
			t.Fatalf("EFI VM without NVRAM (running %v): %v", running, err)
		}
		if snaps := e.snapshots(t, src); len(snaps) != 0 {
			t.Errorf("snapshots left: %v", snaps)
		}
	}
	e.power(t, src, vm.PoweredOff, false)
	v, _ := e.h.Find(ctxT(t), src)
	if err := e.h.Reconfigure(ctxT(t), v, types.VirtualMachineConfigSpec{Firmware: "bios"}); err != nil {
		t.Fatal(err)
	}
	notes, err = runOp(t, func(ctx context.Context) (err error) {
		entry, err = Create(ctx, e.d, CreateRequest{VM: src})
		return err
	})
	if err != nil || !hasNote(notes, "has no NVRAM file") {
		t.Fatalf("BIOS VM without NVRAM: %v, notes %q", err, notes)
	}
	if l := e.load(t, entry); l.config.NVRAM != "" || len(l.manifest.OfKind(archive.KindNVRAM)) != 0 {
		t.Errorf("a backup without NVRAM lists one: %+v", l.config)
	}
	if _, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "bios-copy"}); err != nil {
		t.Fatal(err)
	}
}
