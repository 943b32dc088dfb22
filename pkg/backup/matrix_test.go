package backup

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// TestBackupMatrix backs up, verifies and restores as new with a new
// address a VM for each of {licensed, free licence} × {powered off,
// running} × {BIOS, EFI}: the restored disk bytes are the source's at
// backup time, its NVRAM file is restored, a running VM runs throughout and
// keeps no snapshot.
func TestBackupMatrix(t *testing.T) {
	for _, free := range []bool{false, true} {
		for _, running := range []bool{false, true} {
			for _, firmware := range []string{"bios", "efi"} {
				name := fmt.Sprintf("free=%v running=%v %s", free, running, firmware)
				t.Run(name, func(t *testing.T) { matrixCase(t, free, running, firmware) })
			}
		}
	}
}

func matrixCase(t *testing.T, free, running bool, firmware string) {
	e := newEnv(t, esxisim.Options{})
	e.withShell(t)
	e.withGuestinfo(t, src)
	v, _ := e.h.Find(ctxT(t), src)
	if err := e.h.Reconfigure(ctxT(t), v, types.VirtualMachineConfigSpec{Firmware: firmware}); err != nil {
		t.Fatal(err)
	}
	nvram := []byte("NVRAM of a " + firmware + " VM")
	if err := os.WriteFile(filepath.Join(e.sim.DatastoreDir(), src, src+".nvram"), nvram, 0o644); err != nil {
		t.Fatal(err)
	}
	original := e.flat(t, src)
	if running {
		e.power(t, src, vm.PoweredOn, true)
	}
	e.sim.SetFreeLicence(free)
	stop := e.watchPower(t, src)
	var entry storage.Entry
	_, err := runOp(t, func(ctx context.Context) (err error) {
		entry, err = Create(ctx, e.d, CreateRequest{VM: src, Verify: true})
		return err
	})
	seen := stop()
	if err != nil {
		t.Fatal(err)
	}
	if want := map[bool]string{false: vm.PoweredOff, true: vm.PoweredOn}[running]; len(seen) != 1 || seen[0] != want {
		t.Errorf("power states during the backup: %v", seen)
	}
	if s := e.snapshots(t, src); len(s) != 0 {
		t.Errorf("snapshots left: %v", s)
	}
	if res, err := Verify(ctxT(t), e.d, entry.ID); err != nil || !res.OK {
		t.Fatalf("verify: %+v %v", res, err)
	}
	nic := cloudinit.NIC{Addresses: []string{"10.0.0.70/24"}, Gateway4: "10.0.0.1"}
	if _, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "copy", NICs: []cloudinit.NIC{nic}}); err != nil {
		t.Fatal(err)
	}
	if got := content(t, e.flat(t, "copy")); !bytes.Equal(got, original) {
		t.Fatalf("restored disk: %d bytes, sha %s; original %d bytes, sha %s", len(got), sha(got), len(original), sha(original))
	}
	e.checkNVRAM(t, "copy", nvram)
	info, err := vm.GetInfo(ctxT(t), e.c, "copy")
	if err != nil {
		t.Fatal(err)
	}
	s := cloudinit.Decode(info.ExtraConfig).Summary()
	if info.Firmware != firmware || len(s.NICs) != 1 || !slices.Equal(s.NICs[0].Addresses, []string{"10.0.0.70/24"}) || s.Hostname != "copy" {
		t.Errorf("restored VM: firmware %q, guestinfo %+v", info.Firmware, s)
	}
}
