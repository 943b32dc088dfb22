package simtest

import (
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

func TestStart(t *testing.T) {
	sim, c := Start(t, esxisim.Options{})
	info, err := vm.GetInfo(Context(t), c, esxisim.TemplateName)
	if err != nil {
		t.Fatal(err)
	}
	if info.Disks[0].CapacityBytes != DiskSize {
		t.Errorf("template disk is %d bytes, want %d", info.Disks[0].CapacityBytes, DiskSize)
	}
	if other := Connect(t, sim); other == c {
		t.Error("Connect returned the same session")
	}
}
