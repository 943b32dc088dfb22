package esxihost

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup/internal/simtest"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi/vim25/types"
)

const tmpl = esxisim.TemplateName

func TestKeepInterval(t *testing.T) {
	tests := map[time.Duration]time.Duration{
		0:                      maxKeepInterval,
		-time.Second:           maxKeepInterval,
		300 * time.Second:      maxKeepInterval,
		30 * time.Second:       5 * time.Second,
		time.Second:            time.Second / 6,
		100 * time.Millisecond: minKeepInterval,
	}
	for in, want := range tests {
		if got := keepInterval(in); got != want {
			t.Errorf("keepInterval(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestKeeperPercent(t *testing.T) {
	k := &keeper{total: 200}
	k.add(50)
	if k.percent() != 25 {
		t.Errorf("percent = %d", k.percent())
	}
	k.add(500)
	if k.percent() != 99 {
		t.Errorf("past the total: %d, want 99 (100 is for Complete)", k.percent())
	}
	if (&keeper{}).percent() != 0 {
		t.Error("unknown total")
	}
}

// TestExportAndImport exports the template's disk, imports it as a new VM
// from the host's own descriptor, and compares the bytes.
func TestExportAndImport(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{LeaseTimeout: time.Second})
	h := New(c)
	ctx := simtest.Context(t)
	v, err := h.Find(ctx, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := h.Export(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	disks := exp.Disks()
	if len(disks) != 1 || len(exp.Items()) != 2 || exp.Capacity != simtest.DiskSize { // the disk and the NVRAM
		t.Fatalf("disks %+v, capacity %d", disks, exp.Capacity)
	}
	body, n, err := exp.Open(ctx, disks[0])
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // a keeper report or two
	data, err := io.ReadAll(body)
	_ = body.Close()
	if err != nil || (n >= 0 && int64(len(data)) != n) {
		t.Fatalf("read %d of %d bytes: %v", len(data), n, err)
	}
	n = int64(len(data)) // a streamOptimized export has no Content-Length
	manifest, err := exp.Manifest(ctx)
	if err != nil || len(manifest[disks[0].Key]) != 40 {
		t.Fatalf("manifest = %v, %v", manifest, err)
	}
	if exp.Reports() == 0 {
		t.Error("the keeper made no progress report")
	}
	if err := exp.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	desc, err := h.Descriptor(ctx, v, "copy", []DescriptorFile{{Key: disks[0].Key, Name: "copy-disk-0.vmdk", Size: n}})
	if err != nil || !strings.Contains(desc, `ovf:href="copy-disk-0.vmdk"`) {
		t.Fatalf("descriptor: %v\n%s", err, desc)
	}
	imp, err := h.Import(ctx, ImportSpec{Name: "copy", Descriptor: desc, Datastore: sim.Datastore(),
		Networks: map[string]string{"VM Network": "VM Network"},
		Configure: func(spec *types.VirtualMachineConfigSpec) {
			spec.Annotation = "imported"
		}})
	if err != nil {
		t.Fatal(err)
	}
	items := imp.Items()
	if len(items) != 1 || items[0].Name != "copy-disk-0.vmdk" || items[0].Size != n {
		t.Fatalf("import items = %+v", items)
	}
	if err := imp.Upload(ctx, items[0], bytes.NewReader(data), n); err != nil {
		t.Fatal(err)
	}
	if m, err := imp.Manifest(ctx); err != nil || m[items[0].Key] != manifest[disks[0].Key] {
		t.Errorf("import manifest %v, export manifest %v, %v", m, manifest, err)
	}
	if err := imp.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := h.Info(ctx, "copy")
	if err != nil || info.Annotation != "imported" {
		t.Fatalf("info %+v, %v", info, err)
	}
	flat, _ := os.ReadFile(filepath.Join(sim.DatastoreDir(), "copy", "disk-0-flat.vmdk"))
	if want, _ := os.ReadFile(filepath.Join(sim.DatastoreDir(), tmpl, tmpl+"-flat.vmdk")); !bytes.Equal(flat, want) {
		t.Errorf("imported disk differs: %d bytes", len(flat))
	}
}

func TestExportRefusesPoweredOnVM(t *testing.T) {
	_, c := simtest.Start(t, esxisim.Options{})
	h := New(c)
	ctx := simtest.Context(t)
	v, _ := h.Find(ctx, tmpl)
	if err := h.PowerOn(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := h.PowerOn(ctx, v); err != nil {
		t.Errorf("powering on twice: %v", err)
	}
	if _, err := h.Export(ctx, v); !errors.Is(err, client.ErrInvalidPowerState) {
		t.Fatalf("err = %v", err)
	}
	if err := h.PowerOff(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := h.PowerOff(ctx, v); err != nil {
		t.Errorf("powering off twice: %v", err)
	}
}

func TestPowerAndLifecycle(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	h := New(c)
	ctx := simtest.Context(t)
	v, _ := h.Find(ctx, tmpl)
	if err := h.ShutdownGuest(ctx, v); !errors.Is(err, client.ErrInvalidPowerState) {
		t.Errorf("shutdown of a powered-off VM: %v", err)
	}
	if err := h.PowerOn(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetGuest(tmpl, esxisim.Guest{ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	st, err := h.State(ctx, v)
	if err != nil || st.Power != vm.PoweredOn || !st.ToolsRunning || st.Name != tmpl || st.UUID == "" {
		t.Fatalf("state = %+v, %v", st, err)
	}
	if err := h.ShutdownGuest(ctx, v); err != nil {
		t.Fatal(err)
	}
	if off, err := h.WaitPower(ctx, v, vm.PoweredOff, 10*time.Second); !off || err != nil {
		t.Fatalf("WaitPower = %v, %v", off, err)
	}
	if on, err := h.WaitPower(ctx, v, vm.PoweredOn, 100*time.Millisecond); on || err != nil {
		t.Fatalf("WaitPower for a state that does not come = %v, %v", on, err)
	}
	if err := h.Rename(ctx, v, "renamed"); err != nil {
		t.Fatal(err)
	}
	if err := h.Reconfigure(ctx, v, types.VirtualMachineConfigSpec{ExtraConfig: []types.BaseOptionValue{
		&types.OptionValue{Key: "guestinfo.x", Value: "1"}}}); err != nil {
		t.Fatal(err)
	}
	ec, err := h.ExtraConfig(ctx, v)
	if err != nil || ec["guestinfo.x"] != "1" {
		t.Fatalf("extraConfig = %v, %v", ec, err)
	}
	devices, err := h.Devices(ctx, v)
	if err != nil || len(devices) == 0 {
		t.Fatalf("devices: %v", err)
	}
	if err := h.Destroy(ctx, v); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Find(ctx, "renamed"); !errors.Is(err, vm.ErrNotFound) {
		t.Errorf("after destroy: %v", err)
	}
	if err := h.Rename(ctx, v, "x"); err == nil {
		t.Error("renaming a destroyed VM worked")
	}
	if h.Client() != c || h.About().Version == "" {
		t.Error("accessors")
	}
}

func TestImportRefusals(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	h := New(c)
	ctx := simtest.Context(t)
	v, _ := h.Find(ctx, tmpl)
	desc, err := h.Descriptor(ctx, v, "copy", nil)
	if err != nil {
		t.Fatal(err)
	}
	nets, err := h.Networks(ctx)
	if err != nil || !slices.Contains(nets, "VM Network") {
		t.Fatalf("networks = %v, %v", nets, err)
	}
	tests := []struct {
		name string
		spec ImportSpec
		want error
		say  string
	}{
		{"unknown datastore", ImportSpec{Name: "c", Descriptor: desc, Datastore: "nope"}, ErrDatastoreMissing, "nope"},
		{"missing port group", ImportSpec{Name: "c", Descriptor: desc, Datastore: sim.Datastore(),
			Networks: map[string]string{"VM Network": "DMZ"}}, ErrNetworkMissing, "VM Network"},
		{"bad descriptor", ImportSpec{Name: "c", Descriptor: "<Envelope/>", Datastore: sim.Datastore()}, ErrImportSpec, ""},
		{"name in use", ImportSpec{Name: tmpl, Descriptor: desc, Datastore: sim.Datastore()}, client.ErrAlreadyExists, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.Import(ctx, tt.spec)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.say) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestImportAbortRemovesTheVM(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	h := New(c)
	ctx := simtest.Context(t)
	v, _ := h.Find(ctx, tmpl)
	desc, _ := h.Descriptor(ctx, v, "copy", nil)
	imp, err := h.Import(ctx, ImportSpec{Name: "copy", Descriptor: desc, Datastore: sim.Datastore()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Find(ctx, "copy"); err != nil {
		t.Fatalf("the VM does not exist during the import: %v", err)
	}
	if !folderExists(t, sim, "copy") {
		t.Fatal("the import made no folder")
	}
	imp.Abort(errors.New("checksum mismatch"))
	waitGone(t, sim, h, imp.VM, "copy")
	if err := imp.Complete(ctx); err == nil {
		t.Error("Complete after Abort worked")
	}
}

func TestImportIntoAFolderOfItsOwn(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	h := New(c)
	ctx := simtest.Context(t)
	v, _ := h.Find(ctx, tmpl)
	desc, _ := h.Descriptor(ctx, v, "copy", nil)
	if err := h.Rename(ctx, v, "old"); err != nil {
		t.Fatal(err)
	}
	// The old VM keeps its folder, named after the template.
	imp, err := h.Import(ctx, ImportSpec{Name: tmpl, Descriptor: desc, Datastore: sim.Datastore()})
	if err != nil {
		t.Fatal(err)
	}
	imp.Abort(nil)
	// The host unregisters the VM first and deletes its folder after: the
	// next import must find "_1" free again, or it goes to "_2".
	waitGone(t, sim, h, imp.VM, tmpl+"_1")
	imp, err = h.Import(ctx, ImportSpec{Name: tmpl, Descriptor: desc, Datastore: sim.Datastore()})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range imp.Items() {
		img := zeroDisk(t, simtest.DiskSize) // an import lease takes streamOptimized disks
		if err := imp.Upload(ctx, it, bytes.NewReader(img), int64(len(img))); err != nil {
			t.Fatal(err)
		}
	}
	if err := imp.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := h.Info(ctx, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info.Path, tmpl+"_1/") || !strings.Contains(info.Disks[0].Path, tmpl+"_1/") {
		t.Errorf("new VM at %s, disk %s", info.Path, info.Disks[0].Path)
	}
}

func TestIdentity(t *testing.T) {
	_, c := simtest.Start(t, esxisim.Options{})
	h := New(c)
	ctx := simtest.Context(t)
	v, _ := h.Find(ctx, tmpl)
	before, _ := h.State(ctx, v)
	macs, err := h.MACs(ctx, v)
	if err != nil || len(macs) != 1 {
		t.Fatalf("MACs = %v, %v", macs, err)
	}
	if err := h.RenewIdentity(ctx, v, "other", []string{"00:50:56:00:00:09"}); err != nil {
		t.Fatal(err)
	}
	if again, _ := h.MACs(ctx, v); again[0] != macs[0] {
		t.Error("an adapter with its own address was changed")
	}
	if err := h.RenewIdentity(ctx, v, before.UUID, macs); err != nil {
		t.Fatal(err)
	}
	after, _ := h.State(ctx, v)
	newMACs, _ := h.MACs(ctx, v)
	if after.UUID == before.UUID || newMACs[0] == macs[0] || newMACs[0] == "" {
		t.Errorf("identity kept: uuid %s → %s, mac %s → %s", before.UUID, after.UUID, macs[0], newMACs[0])
	}
	if err := h.SetExtraConfig(ctx, v, map[string]string{"guestinfo.b": "2", "guestinfo.a": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := h.SetExtraConfig(ctx, v, nil); err != nil {
		t.Fatal(err)
	}
	ec, _ := h.ExtraConfig(ctx, v)
	if ec["guestinfo.a"] != "1" || ec["guestinfo.b"] != "2" {
		t.Errorf("extraConfig = %v", ec)
	}
	if !Same(v, v) || Same(v, nil) {
		t.Error("Same")
	}
}

// folderExists reports whether the simulator's datastore holds folder at
// its top level. It reads the datastore's directory, not the host's
// datastore browser: vcsim's SearchDatastore crashes the process when a
// file vanishes while it lists a folder, as the host's background removal
// makes them vanish.
func folderExists(t *testing.T, sim *esxisim.Simulator, folder string) bool {
	t.Helper()
	_, err := os.Stat(filepath.Join(sim.DatastoreDir(), folder))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// waitGone waits for the host to remove a VM in the background (after an
// aborted import): the VM, watched by its handle, and then its folder on the
// datastore. The host unregisters the VM before it deletes the VM's files,
// so the handle alone says nothing about the folder; a folder still there
// at the deadline is a leftover and fails the test.
func waitGone(t *testing.T, sim *esxisim.Simulator, h *Host, v VM, folder string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := h.State(simtest.Context(t), v)
		vmGone := errors.Is(err, client.ErrNotFound)
		left := folderExists(t, sim, folder)
		if vmGone && !left {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the abort: VM removed %t (%v), folder %q left behind %t", vmGone, err, folder, left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zeroDisk is a streamOptimized image of an all-zero disk.
func zeroDisk(t *testing.T, capacity int64) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := vmdk.NewStreamWriter(&b, capacity, vmdk.WriterOptions{})
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
