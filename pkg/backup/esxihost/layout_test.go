package esxihost

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/backup/internal/simtest"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func TestNVRAMPath(t *testing.T) {
	vmx := "[ds] web/web.vmx"
	tests := []struct {
		name   string
		layout *types.VirtualMachineFileLayoutEx
		extra  map[string]string
		want   string
		listed bool
	}{
		{"listed by the host", &types.VirtualMachineFileLayoutEx{File: []types.VirtualMachineFileLayoutExFileInfo{
			{Name: "[ds] web/web.vmx", Type: "config"}, {Name: "[ds] web/boot.nvram", Type: "nvram"}}}, nil, "[ds] web/boot.nvram", true},
		{"named by the .vmx", nil, map[string]string{"nvram": "other.nvram"}, "[ds] web/other.nvram", false},
		{"a path elsewhere is not followed", nil, map[string]string{"nvram": "/vmfs/volumes/x/y.nvram"}, "[ds] web/web.nvram", false},
		{"ESXi's default", &types.VirtualMachineFileLayoutEx{}, nil, "[ds] web/web.nvram", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mo.VirtualMachine{LayoutEx: tt.layout, Config: &types.VirtualMachineConfigInfo{Files: types.VirtualMachineFileInfo{VmPathName: vmx}}}
			for k, v := range tt.extra {
				m.Config.ExtraConfig = append(m.Config.ExtraConfig, &types.OptionValue{Key: k, Value: v})
			}
			if got, listed := nvramPath(m); got != tt.want || listed != tt.listed {
				t.Errorf("nvramPath = %q, %v; want %q, %v", got, listed, tt.want, tt.listed)
			}
		})
	}
	m := mo.VirtualMachine{Config: &types.VirtualMachineConfigInfo{Files: types.VirtualMachineFileInfo{VmPathName: "[ds] web/web.cfg"}}}
	if got, _ := nvramPath(m); got != "" {
		t.Errorf("a configuration not named .vmx gave %q", got)
	}
}

func TestDataExtent(t *testing.T) {
	l := &types.VirtualMachineFileLayoutEx{
		File: []types.VirtualMachineFileLayoutExFileInfo{
			{Key: 1, Name: "[ds] web/web.vmdk", Type: "diskDescriptor"},
			{Key: 2, Name: "[ds] web/data-flat.vmdk", Type: "diskExtent"},
			{Key: 3, Name: "[ds] web/web-000001.vmdk", Type: "diskDescriptor"},
			{Key: 4, Name: "[ds] web/web-000001-sesparse.vmdk", Type: "diskExtent"},
		},
		Disk: []types.VirtualMachineFileLayoutExDiskLayout{
			{Key: 2000, Chain: []types.VirtualMachineFileLayoutExDiskUnit{{FileKey: []int32{1, 2}}}},
			{Key: 2001, Chain: []types.VirtualMachineFileLayoutExDiskUnit{{FileKey: []int32{1, 2}}, {FileKey: []int32{3, 4}}}},
		},
	}
	for _, tt := range []struct {
		key  int32
		want string
	}{
		{2000, "[ds] web/data-flat.vmdk"},
		{2001, "[ds] web/web-000001-sesparse.vmdk"},
		{2002, "[ds] web/other-flat.vmdk"},
	} {
		if got := dataExtent(l, tt.key, "[ds] web/other.vmdk"); got != tt.want {
			t.Errorf("dataExtent(%d) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := dataExtent(nil, 1, "[ds] a/b.vmdk"); got != "[ds] a/b-flat.vmdk" {
		t.Errorf("without a layout: %q", got)
	}
}

func TestExportNVRAMItem(t *testing.T) {
	for _, tt := range []struct {
		items []Item
		want  string
	}{
		{[]Item{{Key: "/8/ParaVirtualSCSIController0:0", Name: "disk-0.vmdk", Disk: true}, {Key: "/8/nvram", Name: "nvram"}}, "/8/nvram"},
		{[]Item{{Key: "/8/x", Name: "web.nvram"}}, "/8/x"},
		{[]Item{{Key: "/8/ParaVirtualSCSIController0:0", Name: "disk-0.vmdk", Disk: true}}, ""},
		{[]Item{{Key: "/8/nvram", Name: "nvram", Disk: true}}, ""},
	} {
		e := &Export{items: tt.items}
		it, ok := e.NVRAM()
		if ok != (tt.want != "") || it.Key != tt.want {
			t.Errorf("NVRAM of %+v = %+v, %v; want %q", tt.items, it, ok, tt.want)
		}
	}
}

// TestLayoutAndFiles reads the template's layout and files through the
// datastore's file access: Get, Size, Put, ReadRanges, FolderFor.
func TestLayoutAndFiles(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	h := New(c)
	ctx := simtest.Context(t)
	v, err := h.Find(ctx, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	l, err := h.Layout(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	dir := "[" + sim.Datastore() + "] " + tmpl + "/"
	if l.VMX != dir+tmpl+".vmx" || l.Firmware != "efi" || l.NVRAM != dir+tmpl+".nvram" || !l.NVRAMListed || len(l.Disks) != 1 {
		t.Fatalf("layout %+v", l)
	}
	d := l.Disks[0]
	if d.Backing != "flat" || d.Parent || d.IDE || d.Data != dir+tmpl+"-flat.vmdk" || d.Capacity != simtest.DiskSize ||
		!strings.HasSuffix(d.DeviceKey, "/ParaVirtualSCSIController0:0") {
		t.Fatalf("disk %+v", d)
	}
	if n, err := h.Size(ctx, d.Data); err != nil || n != simtest.DiskSize {
		t.Fatalf("Size = %d, %v", n, err)
	}
	want := bytes.Repeat([]byte("nvram"), 100)
	if err := h.Put(ctx, l.NVRAM, bytes.NewReader(want), int64(len(want))); err != nil {
		t.Fatal(err)
	}
	if got, err := h.Get(ctx, l.NVRAM, 1<<20); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Get = %d bytes, %v", len(got), err)
	}
	if _, err := h.Get(ctx, l.NVRAM, 10); err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("limit: %v", err)
	}
	if err := h.Put(ctx, dir+"empty.nvram", bytes.NewReader(nil), 0); err != nil {
		t.Fatal(err)
	}
	if n, err := h.Size(ctx, dir+"empty.nvram"); err != nil || n != 0 {
		t.Errorf("empty file: %d, %v", n, err)
	}
	for name, fn := range map[string]func() error{
		"get":  func() error { _, err := h.Get(ctx, dir+"nope", 10); return err },
		"size": func() error { _, err := h.Size(ctx, dir+"nope"); return err },
	} {
		if err := fn(); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("%s of a missing file: %v", name, err)
		}
	}
	if _, err := h.Get(ctx, "not a path", 10); err == nil {
		t.Error("a bad path was read")
	}
	if _, err := h.Get(ctx, "[nope] x", 10); !errors.Is(err, ErrDatastoreMissing) {
		t.Errorf("unknown datastore: %v", err)
	}
	r, err := h.ReadRanges(ctx, d.Data, RangeOptions{Size: d.Capacity, InFlight: 3, ChunkSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	_ = r.Close()
	raw, _ := io.ReadAll(esxisim.DiskContent(tmpl, simtest.DiskSize))
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("ReadRanges: %d bytes, %v", len(got), err)
	}
	if f, err := h.FolderFor(ctx, sim.Datastore(), tmpl); err != nil || f != "["+sim.Datastore()+"] "+tmpl+"_1" {
		t.Errorf("FolderFor a taken name = %q, %v", f, err)
	}
	if f, err := h.FolderFor(ctx, sim.Datastore(), "new"); err != nil || f != "["+sim.Datastore()+"] new" {
		t.Errorf("FolderFor a free name = %q, %v", f, err)
	}
	if _, err := h.FolderFor(ctx, "nope", "new"); !errors.Is(err, ErrDatastoreMissing) {
		t.Errorf("FolderFor on an unknown datastore: %v", err)
	}
}
