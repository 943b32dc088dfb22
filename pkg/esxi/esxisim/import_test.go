package esxisim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/nfc"
	"github.com/vmware/govmomi/ovf"
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

	if err := importOVF(t, s, c, desc, "restored", [][]byte{disk}, complete); err != nil {
		t.Fatalf("import: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(s.DatastoreDir(), "restored", "disk-0-flat.vmdk"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, disk) {
		t.Fatalf("imported disk has %d bytes, uploaded %d", len(got), len(disk))
	}
	restored := vmByName(t, c, "restored")
	var hw struct {
		cpu, mem, cores int32
		guest, firmware string
	}
	for _, m := range inventory(t, s) {
		if m.Name == "restored" {
			h := m.Config.Hardware
			hw.cpu, hw.mem, hw.guest, hw.firmware = h.NumCPU, h.MemoryMB, m.Config.GuestId, m.Config.Firmware
			if h.NumCoresPerSocket != nil {
				hw.cores = *h.NumCoresPerSocket
			}
		}
	}
	if hw.cpu != 2 || hw.mem != 2048 || hw.cores != 2 || hw.guest != "ubuntu64Guest" || hw.firmware != "efi" {
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
	if err := importOVF(t, s, c, desc, "fresh", [][]byte{payload}, complete); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(s.DatastoreDir(), "fresh", "disk-0-flat.vmdk"))
	if !bytes.Equal(got, payload) {
		t.Fatalf("flat disk holds %d bytes, want the %d uploaded", len(got), len(payload))
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
			if err := importOVF(t, s, c, desc, "gone-"+tt.name, [][]byte{[]byte("x")}, tt.finish); err != nil {
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
