package esxisim

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/nfc"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

func TestExportImportRoundTripKeepsBytes(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	lease, info := exportLease(t, vm)
	disk, err := download(c, info.Items[0])
	if err != nil {
		t.Fatal(err)
	}
	nvram, err := download(c, info.Items[1])
	if err != nil {
		t.Fatal(err)
	}
	desc := descriptor(t, c, vm, info, "restored")
	if err := lease.Complete(context.Background()); err != nil {
		t.Fatal(err)
	}
	env, err := ovf.Unmarshal(strings.NewReader(desc))
	if err != nil {
		t.Fatalf("descriptor does not parse: %v\n%s", err, desc)
	}
	if os := env.VirtualSystem.OperatingSystem; os == nil || os.OSType == nil || *os.OSType != "ubuntu64Guest" {
		t.Errorf("OS section = %+v", env.VirtualSystem.OperatingSystem)
	}
	if env.References[0].Href != info.Items[0].Path || !strings.Contains(desc, `vmw:key="firmware" vmw:value="efi"`) {
		t.Errorf("descriptor:\n%s", desc)
	}
	// the NVRAM, as ESXi refers to it: a File after the disks and nvram = ovf:/file/file2
	if len(env.References) != 2 || env.References[1].ID != "file2" || env.References[1].Href != "disk-1.nvram" ||
		env.References[1].Size != NVRAMSizeEFI ||
		!strings.Contains(desc, `<vmw:ExtraConfig ovf:required="false" vmw:key="nvram" vmw:value="ovf:/file/file2"/>`) {
		t.Errorf("the descriptor does not refer to the NVRAM as ESXi does:\n%s", desc)
	}

	if err := importOVF(t, s, c, desc, "restored", [][]byte{disk, nvram}, complete); err != nil {
		t.Fatalf("import: %v", err)
	}
	got := readFile(t, filepath.Join(s.DatastoreDir(), "restored", "disk-0-flat.vmdk"))
	if want := readFile(t, filepath.Join(s.DatastoreDir(), TemplateName, TemplateName+"-flat.vmdk")); !bytes.Equal(got, want) {
		t.Fatalf("the imported disk (%d bytes) differs from the exported one (%d)", len(got), len(want))
	}
	if got := readFile(t, filepath.Join(s.DatastoreDir(), "restored", "restored.nvram")); !bytes.Equal(got, nvram) {
		t.Fatal("the imported NVRAM differs from the exported one")
	}
	restored := vmByName(t, c, "restored")
	var hw struct {
		cpu, mem, cores int32
		guest, firmware string
		nvram           string
	}
	for _, m := range inventory(t, s) {
		if m.Name == "restored" {
			h := m.Config.Hardware
			hw.cpu, hw.mem, hw.guest, hw.firmware = h.NumCPU, h.MemoryMB, m.Config.GuestId, m.Config.Firmware
			hw.nvram, _ = extraValue(m.Config.ExtraConfig, "nvram")
			if h.NumCoresPerSocket != nil {
				hw.cores = *h.NumCoresPerSocket
			}
		}
	}
	if hw.cpu != 2 || hw.mem != 2048 || hw.cores != 2 || hw.guest != "ubuntu64Guest" || hw.firmware != "efi" || hw.nvram != "restored.nvram" {
		t.Errorf("restored hardware = %+v", hw)
	}
	if restored.Reference() == vm.Reference() {
		t.Error("the restore is the template itself")
	}
}

func TestImportVAppKeepsUploadedBytes(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	lease, info := exportLease(t, vm)
	desc := descriptor(t, c, vm, info, "fresh")
	_ = lease.Complete(context.Background())
	payload := bytes.Repeat([]byte("uploaded by a client "), 5000)
	nvram := []byte("an NVRAM file")
	if err := importOVF(t, s, c, desc, "fresh", [][]byte{streamImage(t, payload), nvram}, complete); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, filepath.Join(s.DatastoreDir(), "fresh", "disk-0-flat.vmdk"))
	want := append(payload, make([]byte, (len(payload)+511)&^511-len(payload))...)
	if !bytes.Equal(got, want) {
		t.Fatalf("flat disk holds %d bytes, want the %d uploaded", len(got), len(want))
	}
	if got := readFile(t, filepath.Join(s.DatastoreDir(), "fresh", "fresh.nvram")); !bytes.Equal(got, nvram) {
		t.Fatalf("NVRAM holds %q", got)
	}
}

// TestImportRefusesWhatESXiRefuses: a disk upload that is not a
// streamOptimized VMDK, and an NVRAM file sent with POST (ESXi takes
// non-disk files with PUT only).
func TestImportRefusesWhatESXiRefuses(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	lease, info := exportLease(t, vm)
	desc := descriptor(t, c, vm, info, "strict")
	_ = lease.Complete(ctx)
	pool := object.NewResourcePool(c.Client, esx.ResourcePool.Self)
	ds := object.NewDatastore(c.Client, findDatastore(s.internalContext(ctx), s.Datastore()).Self)
	spec, err := ovf.NewManager(c.Client).CreateImportSpec(ctx, desc, pool, ds, &types.OvfCreateImportSpecParams{EntityName: "strict"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(spec.FileItem); n != 2 || spec.FileItem[1].DeviceId != "/strict/nvram" || !spec.FileItem[1].Create {
		t.Fatalf("import spec files = %+v", spec.FileItem)
	}
	imp, err := pool.ImportVApp(ctx, spec.ImportSpec, object.NewFolder(c.Client, esx.Datacenter.VmFolder), nil)
	if err != nil {
		t.Fatal(err)
	}
	linfo, err := imp.Wait(ctx, spec.FileItem)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = imp.Abort(ctx, nil) }()
	// Raw requests: govmomi's Upload reports progress on a channel that it
	// closes when the answer comes, which can race with the transport
	// still reading the body of a refused upload.
	raw := []byte("raw bytes are not a VMDK")
	if err := postStatus(t, c, linfo.Items[0].URL.String(), raw); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("raw disk upload: %v, want 400 Bad Request", err)
	}
	if err := postStatus(t, c, linfo.Items[1].URL.String(), raw); err == nil || !strings.Contains(err.Error(), "405") {
		t.Errorf("NVRAM upload with POST: %v, want 405 Method Not Allowed", err)
	}
}

func TestImportVAppRefusesDuplicateName(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	lease, info := exportLease(t, vm)
	desc := descriptor(t, c, vm, info, TemplateName)
	_ = lease.Complete(context.Background())
	err := importOVF(t, s, c, desc, TemplateName, nil, complete)
	if !fault.Is(err, &types.DuplicateName{}) {
		t.Fatalf("err = %v, want DuplicateName", err)
	}
}

func TestImportAbortAndTimeoutRemoveTheVM(t *testing.T) {
	s := startSim(t, Options{LeaseTimeout: 400 * time.Millisecond})
	c := connect(t, s)
	vm := vmByName(t, c, TemplateName)
	lease, info := exportLease(t, vm)
	desc := descriptor(t, c, vm, info, "x")
	_ = lease.Complete(context.Background())
	tests := []struct {
		name   string
		finish func(*nfc.Lease) error
	}{
		{"abort", func(l *nfc.Lease) error { return l.Abort(context.Background(), nil) }},
		{"timeout", func(*nfc.Lease) error { time.Sleep(time.Second); return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := [][]byte{streamImage(t, []byte("x")), []byte("nvram")}
			if err := importOVF(t, s, c, desc, "gone-"+tt.name, files, tt.finish); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for len(inventory(t, s)) != 1 {
				if time.Now().After(deadline) {
					t.Fatalf("the imported VM is still there")
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestCreateImportSpecRefusesCrashingDescriptors(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	tests := map[string]string{
		"not xml":          "nope",
		"no system":        `<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"></Envelope>`,
		"no hardware":      `<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystem ovf:id="a"/></Envelope>`,
		"cpu without size": envelopeWithItem(`<rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType>`),
		"disk without parent": envelopeWithItem(`<rasd:HostResource>ovf:/disk/d</rasd:HostResource>` +
			`<rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType>`),
		"item without type": envelopeWithItem(`<rasd:InstanceID>1</rasd:InstanceID>`),
	}
	for name, desc := range tests {
		t.Run(name, func(t *testing.T) {
			err := importOVF(t, s, c, desc, "bad", nil, complete)
			if !fault.Is(err, &types.InvalidArgument{}) {
				t.Fatalf("err = %v, want InvalidArgument", err)
			}
		})
	}
}

func envelopeWithItem(item string) string {
	return `<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" ` +
		`xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">` +
		`<VirtualSystem ovf:id="a"><VirtualHardwareSection><Item>` + item + `</Item></VirtualHardwareSection></VirtualSystem></Envelope>`
}
