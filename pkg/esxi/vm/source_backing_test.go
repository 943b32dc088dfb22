package vm

import (
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

// TestDiskFileReadsDeltaBackings: a source with snapshots runs on delta
// disks; the copy takes the newest delta, whose copy is the current state.
func TestDiskFileReadsDeltaBackings(t *testing.T) {
	file := func(n string) types.VirtualDeviceFileBackingInfo {
		return types.VirtualDeviceFileBackingInfo{FileName: n}
	}
	tests := []struct {
		b    types.BaseVirtualDeviceBackingInfo
		want string
	}{
		{&types.VirtualDiskFlatVer2BackingInfo{VirtualDeviceFileBackingInfo: file("[ds] t/t.vmdk"), DiskMode: "persistent"}, "[ds] t/t.vmdk"},
		{&types.VirtualDiskSeSparseBackingInfo{VirtualDeviceFileBackingInfo: file("[ds] t/t-000001.vmdk"), DiskMode: "persistent"}, "[ds] t/t-000001.vmdk"},
		{&types.VirtualDiskSparseVer2BackingInfo{VirtualDeviceFileBackingInfo: file("[ds] t/t-000002.vmdk"), DiskMode: "persistent"}, "[ds] t/t-000002.vmdk"},
	}
	for _, tt := range tests {
		got, ok := diskFile(tt.b)
		if !ok || got.FileName != tt.want || got.DiskMode != "persistent" {
			t.Errorf("%T: %+v %v", tt.b, got, ok)
		}
	}
	if _, ok := diskFile(&types.VirtualDiskRawDiskMappingVer1BackingInfo{}); ok {
		t.Error("a raw device mapping was taken for a disk file")
	}
}
