//go:build !integration

package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// TestFreeLicenceCopiesNVRAMAndSnapshotState: on the free licence, a
// create from a template that runs on a snapshot delta copies its current
// state with vmkfstools -i (one flat disk) and its NVRAM with cp, and the
// .vmx names the copy (nvram = "web.nvram"); a clone of a source with no
// NVRAM file copies none.
func TestFreeLicenceCopiesNVRAMAndSnapshotState(t *testing.T) {
	h := startFreeHost(t)
	tmpl := esxisim.TemplateName
	vmid := vmidOf(t, h, tmpl)
	h.shellRun(t, "vim-cmd vmsvc/power.on "+vmid)
	h.shellRun(t, "vim-cmd vmsvc/snapshot.create "+vmid+" before-update")
	if err := h.sim.WriteGuestDisk(tmpl, 0, 4096*7+3, []byte("written on the delta")); err != nil {
		t.Fatal(err)
	}
	h.shellRun(t, "vim-cmd vmsvc/power.off "+vmid)
	want, err := h.sim.ReadDisk(tmpl, 0)
	if err != nil {
		t.Fatal(err)
	}

	fb := h.fallback(t)
	n := len(h.shell.Commands())
	var created *vm.Result
	freeOp(t, "vm.create", func(ctx context.Context) error {
		created, err = vm.Create(ctx, h.c, vm.CreateSpec{Name: "web", Template: tmpl, Host: fb})
		return err
	})
	ds := "/vmfs/volumes/datastore1/"
	wantCommands(t, h.commandsSince(n),
		"mkdir "+ds+"web",
		"vmkfstools -i "+ds+tmpl+"/"+tmpl+"-000001.vmdk -d thin "+ds+"web/web.vmdk",
		"cp "+ds+tmpl+"/"+tmpl+".nvram "+ds+"web/web.nvram",
		`sh -c 'set -C; cat > "$1"' sh `+ds+"web/web.vmx",
		"vim-cmd solo/registervm "+ds+"web/web.vmx")
	if got := h.freeFlat(t, created.Disks[0]); !bytes.Equal(got, want) {
		t.Fatal("the copy's disk is not the template's current state")
	}
	dir := filepath.Join(h.sim.DatastoreDir(), "web")
	nvram, err := os.ReadFile(filepath.Join(dir, "web.nvram"))
	if err != nil || !bytes.Equal(nvram, esxisim.NVRAMContent(tmpl, "efi")) {
		t.Fatalf("the copy's NVRAM (%d bytes) is not the template's: %v", len(nvram), err)
	}
	vmx, _ := os.ReadFile(filepath.Join(dir, "web.vmx"))
	if !strings.Contains(string(vmx), "\nnvram = \"web.nvram\"\n") {
		t.Errorf("the .vmx does not name the NVRAM:\n%s", vmx)
	}

	// A source without an NVRAM file: nothing is copied.
	if err := os.Remove(filepath.Join(dir, "web.nvram")); err != nil {
		t.Fatal(err)
	}
	n = len(h.shell.Commands())
	freeOp(t, "vm.clone", func(ctx context.Context) error {
		_, err := vm.Clone(ctx, h.c, vm.CloneSpec{Name: "web2", Source: "web", Host: fb})
		return err
	})
	for _, line := range h.commandsSince(n) {
		if strings.HasPrefix(line, "cp ") {
			t.Errorf("a source without NVRAM had one copied: %s", line)
		}
	}
	if _, err := os.Stat(filepath.Join(h.sim.DatastoreDir(), "web2", "web2.nvram")); !os.IsNotExist(err) {
		t.Errorf("the clone has an NVRAM file: %v", err)
	}
	vmx, _ = os.ReadFile(filepath.Join(h.sim.DatastoreDir(), "web2", "web2.vmx"))
	if strings.Contains(string(vmx), "nvram") {
		t.Errorf("the clone's .vmx names an NVRAM:\n%s", vmx)
	}
}
