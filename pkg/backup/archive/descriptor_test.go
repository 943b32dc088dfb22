package archive

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func readDescriptor(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/web.ovf")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestParseDescriptor(t *testing.T) {
	d, err := ParseDescriptor([]byte(readDescriptor(t)))
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "web" || len(d.Networks) != 1 || d.Networks[0] != "VM Network" {
		t.Errorf("descriptor = %+v", d)
	}
	if len(d.Disks) != 1 || d.Disks[0].File != "web-disk-0.vmdk" || d.Disks[0].CapacityBytes != 6295552 || d.Disks[0].ID != "vmdisk1" {
		t.Errorf("disks = %+v", d.Disks)
	}
}

func TestParseDescriptorRefuses(t *testing.T) {
	good := readDescriptor(t)
	tests := []struct {
		name, old, new, say string
	}{
		{"not xml", "<Envelope", "<<Envelope", ""},
		{"no system", "<VirtualSystem ovf:id=\"web\">", "<Other>", ""},
		{"network not listed", "<rasd:Connection>VM Network", "<rasd:Connection>DMZ", "NetworkSection does not list"},
		{"unknown file", `ovf:fileRef="file1"`, `ovf:fileRef="file9"`, "References does not list"},
		{"no file", `ovf:fileRef="file1"`, ``, "refers to no file"},
		{"bad capacity", `ovf:capacity="6295552"`, `ovf:capacity="lots"`, "capacity"},
		{"bad units", `ovf:capacityAllocationUnits="byte"`, `ovf:capacityAllocationUnits="furlongs"`, "allocation units"},
		{"unknown disk", "ovf:/disk/vmdisk1", "ovf:/disk/vmdisk7", "unknown disk"},
		{"no host resource", "<rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>", "", "no host resource"},
		{"no type", "<rasd:ResourceType>4</rasd:ResourceType>", "", "no resource type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.old, tt.new, 1)
			if bad == good {
				t.Fatalf("%q not found in the sample", tt.old)
			}
			_, err := ParseDescriptor([]byte(bad))
			if !errors.Is(err, ErrInvalidDescriptor) || !strings.Contains(err.Error(), tt.say) {
				t.Fatalf("err = %v, want ErrInvalidDescriptor saying %q", err, tt.say)
			}
		})
	}
	unused := strings.Replace(good, "</DiskSection>",
		`<Disk ovf:capacity="1" ovf:diskId="vmdisk2" ovf:fileRef="file1"/></DiskSection>`, 1)
	if _, err := ParseDescriptor([]byte(unused)); !errors.Is(err, ErrInvalidDescriptor) || !strings.Contains(err.Error(), "used by no item") {
		t.Errorf("unused disk: %v", err)
	}
}

func TestCheckDescriptor(t *testing.T) {
	desc := []byte(readDescriptor(t))
	m := sample()
	m.Files[0].Size = 6295552
	if _, err := CheckDescriptor(desc, m); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Manifest)
		say    string
	}{
		{"size differs", func(m *Manifest) { m.Files[0].Size = 5 }, "ovf:size"},
		{"name differs", func(m *Manifest) { m.Files[0].Name = "db-disk-0.vmdk" }, "refers to"},
		{"two disks", func(m *Manifest) { m.Files = append(m.Files, File{Name: "web-disk-1.vmdk", Kind: KindDisk}) }, "2 in the manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sample()
			m.Files[0].Size = 6295552
			tt.change(m)
			if _, err := CheckDescriptor(desc, m); !errors.Is(err, ErrInvalidDescriptor) || !strings.Contains(err.Error(), tt.say) {
				t.Fatalf("err = %v, want %q", err, tt.say)
			}
		})
	}
	if _, err := CheckDescriptor([]byte("junk"), m); !errors.Is(err, ErrInvalidDescriptor) {
		t.Errorf("junk: %v", err)
	}
	extra := strings.Replace(string(desc), "</References>", `<File ovf:href="other.iso" ovf:id="file2"/></References>`, 1)
	m.Files[0].Size = 6295552
	if err := CheckReferenceSizes([]byte(extra), m); !errors.Is(err, ErrInvalidDescriptor) || !strings.Contains(err.Error(), "other.iso") {
		t.Errorf("unknown reference: %v", err)
	}
}
