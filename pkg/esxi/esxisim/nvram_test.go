package esxisim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/mo"
)

// TestNVRAMAppearsAtFirstPowerOn: the template has its NVRAM; a new VM has
// the nvram key but no file until it first powers on, as on ESXi (vcsim
// writes an empty file at creation and none at power-on).
func TestNVRAMAppearsAtFirstPowerOn(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	if got := readFile(t, filepath.Join(s.DatastoreDir(), TemplateName, TemplateName+".nvram")); !bytes.Equal(got, NVRAMContent(TemplateName, "efi")) {
		t.Fatalf("the template's NVRAM (%d bytes) is not NVRAMContent", len(got))
	}
	for _, firmware := range []string{"efi", "bios"} {
		t.Run(firmware, func(t *testing.T) {
			name := "new-" + firmware
			cs := spec(t, s, name)
			cs.Firmware = firmware
			vm, err := createVM(t, s, c, cs)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(s.DatastoreDir(), name, name+".nvram")
			if _, err := os.Stat(file); !os.IsNotExist(err) {
				t.Fatalf("a VM never powered on has an NVRAM file: %v", err)
			}
			var m mo.VirtualMachine
			if err := vm.Properties(ctx, vm.Reference(), []string{"config.extraConfig"}, &m); err != nil {
				t.Fatal(err)
			}
			if v, _ := extraValue(m.Config.ExtraConfig, "nvram"); v != name+".nvram" {
				t.Errorf("extraConfig nvram = %q", v)
			}
			if err := powerOn(ctx, vm); err != nil {
				t.Fatal(err)
			}
			got := readFile(t, file)
			if !bytes.Equal(got, NVRAMContent(name, firmware)) || !strings.Contains(string(got[:64]), "firmware: "+firmware) {
				t.Fatalf("NVRAM after power-on: %d bytes", len(got))
			}
			if err := powerOff(ctx, vm); err != nil {
				t.Fatal(err)
			}
			if err := powerOn(ctx, vm); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(readFile(t, file), got) {
				t.Error("a second power-on rewrote the NVRAM")
			}
		})
	}
	if len(NVRAMContent("x", "efi")) != NVRAMSizeEFI || len(NVRAMContent("x", "bios")) != NVRAMSizeBIOS ||
		bytes.Equal(NVRAMContent("x", "efi")[:NVRAMSizeBIOS], NVRAMContent("y", "efi")[:NVRAMSizeBIOS]) {
		t.Error("NVRAMContent sizes or labels")
	}
}
