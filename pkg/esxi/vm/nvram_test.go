package vm

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func readNVRAM(t *testing.T, sim *esxisim.Simulator, vmName string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sim.DatastoreDir(), vmName, vmName+".nvram"))
	if err != nil {
		t.Fatalf("NVRAM of %s: %v", vmName, err)
	}
	return b
}

// TestCreateAndCloneCopyTheNVRAM: the template's NVRAM (EFI boot entries,
// Secure Boot keys) goes with every copy, under the copy's name, with the
// nvram key set to it.
func TestCreateAndCloneCopyTheNVRAM(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	want := esxisim.NVRAMContent(esxisim.TemplateName, "efi")
	if _, err := Create(ctx, c, CreateSpec{Name: "web01", Template: esxisim.TemplateName}); err != nil {
		t.Fatal(err)
	}
	if _, err := Clone(ctx, c, CloneSpec{Name: "web02", Source: "web01"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"web01", "web02"} {
		if got := readNVRAM(t, sim, name); !bytes.Equal(got, want) {
			t.Errorf("%s: the NVRAM (%d bytes) is not the template's", name, len(got))
		}
		info, err := GetInfo(ctx, c, name)
		if err != nil {
			t.Fatal(err)
		}
		if info.ExtraConfig["nvram"] != name+".nvram" {
			t.Errorf("%s: nvram = %q", name, info.ExtraConfig["nvram"])
		}
	}
}

// TestCopyOfASourceWithoutNVRAM: a template never powered on has no NVRAM
// file; the copy gets none (nothing to copy, no step) and the host makes a
// fresh one at its first power-on.
func TestCopyOfASourceWithoutNVRAM(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	if err := os.Remove(filepath.Join(sim.DatastoreDir(), esxisim.TemplateName, esxisim.TemplateName+".nvram")); err != nil {
		t.Fatal(err)
	}
	spec := CreateSpec{Name: "web01", Template: esxisim.TemplateName, PowerOn: true}
	steps, err := PlanCreate(ctx, c, spec)
	if err != nil {
		t.Fatal(err)
	}
	if plan := strings.Join(actions(steps), "\n"); strings.Contains(plan, "nvram") {
		t.Fatalf("the plan copies an NVRAM that does not exist:\n%s", plan)
	}
	if _, err := Create(ctx, c, spec); err != nil {
		t.Fatal(err)
	}
	if got := readNVRAM(t, sim, "web01"); !bytes.Equal(got, esxisim.NVRAMContent("web01", "efi")) {
		t.Error("the new VM's NVRAM is not the one the host makes at the first power-on")
	}
}

// TestCreateFromATemplateWithASnapshot: the template runs on a snapshot
// delta; the copy holds the template's current state (base and delta
// consolidated) in one flat disk, and the template keeps its snapshot.
func TestCreateFromATemplateWithASnapshot(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	h := NewAPIHost(c)
	ref, err := Find(ctx, c, esxisim.TemplateName)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := VMRef{ID: ref.Value, Name: esxisim.TemplateName}
	if err := h.Power(ctx, tmpl, PowerOn); err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateSnapshot(ctx, tmpl, "before-update"); err != nil {
		t.Fatal(err)
	}
	if err := sim.WriteGuestDisk(esxisim.TemplateName, 0, 8192, []byte("updated after the snapshot")); err != nil {
		t.Fatal(err)
	}
	if err := h.Power(ctx, tmpl, PowerOff); err != nil {
		t.Fatal(err)
	}
	want, err := sim.ReadDisk(esxisim.TemplateName, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, err := GetInfo(ctx, c, esxisim.TemplateName)
	if err != nil || !strings.HasSuffix(info.Disks[0].Path, "-000001.vmdk") {
		t.Fatalf("the template is not on its delta: %+v, %v", info.Disks, err)
	}
	res, err := Create(ctx, c, CreateSpec{Name: "web01", Template: esxisim.TemplateName})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Disks) != 1 || res.Disks[0] != "[datastore1] web01/web01.vmdk" {
		t.Fatalf("disks %v", res.Disks)
	}
	got, err := os.ReadFile(filepath.Join(sim.DatastoreDir(), "web01", "web01-flat.vmdk"))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the copy (%d bytes) is not the template's current state (%d bytes): %v", len(got), len(want), err)
	}
	if copied, _ := sim.ReadDisk("web01", 0); !bytes.Equal(copied, want) {
		t.Error("the new VM does not read the template's current state")
	}
	if info, _ := GetInfo(ctx, c, esxisim.TemplateName); !strings.HasSuffix(info.Disks[0].Path, "-000001.vmdk") {
		t.Error("the template lost its snapshot")
	}
}
