package archive

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSafeName(t *testing.T) {
	tests := map[string]string{
		"web":                   "web",
		"ubuntu-24.04-template": "ubuntu-24.04-template",
		"my vm (prod)":          "my_vm__prod_",
		"a/b\\c":                "a_b_c",
		"":                      "vm",
		".hidden":               "_hidden",
		"..":                    "_.",
		"-flag":                 "_flag",
		"web.partial":           "web_partial",
		"Ünïcode":               "_n_code",
		strings.Repeat("x", 90): strings.Repeat("x", 80),
	}
	for in, want := range tests {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	if got := Dir("my vm", "ID1"); got != "my_vm/ID1" {
		t.Errorf("Dir = %q", got)
	}
	if got := TempDir("web", "ID1"); got != "web/ID1.partial" || !IsTemp(got) || IsTemp(Dir("web", "ID1")) {
		t.Errorf("TempDir = %q", got)
	}
	if DescriptorName("web") != "web.ovf" || OVFManifestName("web") != "web.mf" || DiskName("web", 2) != "web-disk-2.vmdk" {
		t.Error("file names changed")
	}
	if StoredName("a.vmdk", CompressionZstd) != "a.vmdk.zst" || StoredName("a.vmdk", CompressionNone) != "a.vmdk" {
		t.Error("stored names changed")
	}
}

const (
	d1 = "1111111111111111111111111111111111111111111111111111111111111111"
	d2 = "2222222222222222222222222222222222222222222222222222222222222222"
	d3 = "3333333333333333333333333333333333333333333333333333333333333333"
)

func sample() *Manifest {
	return &Manifest{
		Format: FormatName, Version: Version, ID: "20261103T021500Z-3f9a1c2b", VMName: "web",
		Created:     time.Date(2026, 11, 3, 2, 15, 0, 0, time.UTC),
		Compression: Compression{Algorithm: CompressionZstd, Level: 3},
		Files: []File{
			{Name: "web-disk-0.vmdk", Kind: KindDisk, Size: 100, SHA256: d1, Compression: CompressionZstd,
				Stored: "web-disk-0.vmdk.zst", StoredSize: 40, StoredSHA256: d2, DeviceKey: "/vm-1/disk:0", Format: DiskStreamOptimized},
			{Name: "web.ovf", Kind: KindDescriptor, Size: 10, SHA256: d3, Compression: CompressionNone, Stored: "web.ovf", StoredSize: 10, StoredSHA256: d3},
			{Name: "config.json", Kind: KindConfig, Size: 5, SHA256: d2, Compression: CompressionNone, Stored: "config.json", StoredSize: 5, StoredSHA256: d2},
			{Name: "web.mf", Kind: KindOVFManifest, Size: 1, SHA256: d1, Compression: CompressionNone, Stored: "web.mf", StoredSize: 1, StoredSHA256: d1},
		},
	}
}

func TestManifestRoundTrip(t *testing.T) {
	m := sample()
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := back.Encode()
	if string(again) != string(data) || !strings.HasSuffix(string(data), "}\n") {
		t.Errorf("round trip changed the manifest:\n%s\n%s", data, again)
	}
	if back.StoredSize() != 56 || back.Size() != 116 || len(back.OfKind(KindDisk)) != 1 {
		t.Errorf("sizes %d %d", back.StoredSize(), back.Size())
	}
	if f, ok := back.Find("web.ovf"); !ok || f.Kind != KindDescriptor {
		t.Errorf("Find = %+v, %v", f, ok)
	}
	if _, ok := back.Find("nope"); ok {
		t.Error("found a file that is not there")
	}
}

func TestManifestValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Manifest)
		want   error
		say    string
	}{
		{"format", func(m *Manifest) { m.Format = "other" }, ErrInvalidManifest, "format"},
		{"newer version", func(m *Manifest) { m.Version = Version + 1 }, ErrUnsupportedVersion, "reads up to"},
		{"bad id", func(m *Manifest) { m.ID = "a/b" }, ErrInvalidManifest, "id"},
		{"no vm", func(m *Manifest) { m.VMName = " " }, ErrInvalidManifest, "vm_name"},
		{"no time", func(m *Manifest) { m.Created = time.Time{} }, ErrInvalidManifest, "created"},
		{"no disk", func(m *Manifest) { m.Files = m.Files[1:] }, ErrInvalidManifest, "at least one disk"},
		{"two descriptors", func(m *Manifest) { m.Files[2].Kind = KindDescriptor }, ErrInvalidManifest, "one descriptor"},
		{"path in name", func(m *Manifest) { m.Files[1].Name, m.Files[1].Stored = "../web.ovf", "../web.ovf" }, ErrInvalidManifest, "plain file name"},
		{"temp name", func(m *Manifest) { m.Files[1].Name, m.Files[1].Stored = "web.ovf.partial", "web.ovf.partial" }, ErrInvalidManifest, "plain file name"},
		{"reserved name", func(m *Manifest) { m.Files[2].Name, m.Files[2].Stored = ManifestName, ManifestName }, ErrInvalidManifest, "reserved"},
		{"unknown kind", func(m *Manifest) { m.Files[2].Kind = "iso" }, ErrInvalidManifest, "unknown kind"},
		{"unknown compression", func(m *Manifest) { m.Files[0].Compression = "gzip" }, ErrInvalidManifest, "unknown compression"},
		{"stored name", func(m *Manifest) { m.Files[0].Stored = "web-disk-0.vmdk" }, ErrInvalidManifest, "does not match"},
		{"negative size", func(m *Manifest) { m.Files[0].Size = -1 }, ErrInvalidManifest, "negative"},
		{"short digest", func(m *Manifest) { m.Files[0].SHA256 = "abc" }, ErrInvalidManifest, "SHA-256"},
		{"upper-case digest", func(m *Manifest) { m.Files[0].SHA256 = strings.Repeat("A", 64) }, ErrInvalidManifest, "SHA-256"},
		{"uncompressed differs", func(m *Manifest) { m.Files[1].StoredSHA256 = d1 }, ErrInvalidManifest, "differing"},
		{"duplicate", func(m *Manifest) { m.Files[3].Name, m.Files[3].Stored = "web.ovf", "web.ovf" }, ErrInvalidManifest, "used twice"},
		{"unknown disk format", func(m *Manifest) { m.Files[0].Format = "vhd" }, ErrInvalidManifest, "only a disk has one"},
		{"format of a descriptor", func(m *Manifest) { m.Files[1].Format = DiskFlat }, ErrInvalidManifest, "only a disk has one"},
		{"two nvram files", func(m *Manifest) { m.Files[2].Kind, m.Files[3].Kind = KindNVRAM, KindNVRAM }, ErrInvalidManifest, "at most one nvram"},
		{"nvram in version 1", func(m *Manifest) { m.Version = 1; m.Files[3].Kind = KindNVRAM }, ErrInvalidManifest, "version 1 manifest has no nvram"},
		{"format in version 1", func(m *Manifest) { m.Version = 1; m.Files[0].Format = DiskFlat }, ErrInvalidManifest, "version 1 manifest has no nvram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sample()
			tt.change(m)
			data, _ := jsonOf(m)
			_, err := ParseManifest(data)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.say) {
				t.Fatalf("err = %v, want %v saying %q", err, tt.want, tt.say)
			}
			if tt.want == ErrInvalidManifest {
				if _, err := m.Encode(); !errors.Is(err, ErrInvalidManifest) {
					t.Errorf("Encode accepted it: %v", err)
				}
			}
		})
	}
	if _, err := ParseManifest([]byte("{")); !errors.Is(err, ErrInvalidManifest) {
		t.Errorf("truncated JSON: %v", err)
	}
}

func sampleConfig() *Config {
	return &Config{
		Format: FormatName, Version: Version, Name: "web", UUID: "u", PowerState: "poweredOn", Datastore: "datastore1",
		Disks: []Disk{{Label: "Hard disk 1", File: "web-disk-0.vmdk", CapacityBytes: 1 << 30}},
		NVRAM: "web.nvram", Consistency: ConsistencyQuiesced,
		NICs:      []NIC{{Label: "Network adapter 1", MAC: "00:50:56:00:00:01", Network: "VM Network"}, {MAC: "00:50:56:00:00:02"}},
		GuestInfo: GuestInfo{"guestinfo.metadata": "x"},
	}
}

func TestConfig(t *testing.T) {
	c := sampleConfig()
	data, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseConfig(data)
	if err != nil || back.Name != "web" || back.GuestInfo["guestinfo.metadata"] != "x" {
		t.Fatalf("%+v, %v", back, err)
	}
	if macs := back.MACs(); len(macs) != 2 || macs[1] != "00:50:56:00:00:02" {
		t.Errorf("MACs = %v", macs)
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   error
	}{
		{"format", func(c *Config) { c.Format = "" }, ErrInvalidConfig},
		{"newer", func(c *Config) { c.Version = 9 }, ErrUnsupportedVersion},
		{"name", func(c *Config) { c.Name = "" }, ErrInvalidConfig},
		{"no disk", func(c *Config) { c.Disks = nil }, ErrInvalidConfig},
		{"disk file", func(c *Config) { c.Disks[0].File = "a/b" }, ErrInvalidConfig},
		{"not guestinfo", func(c *Config) { c.GuestInfo["svga.present"] = "TRUE" }, ErrInvalidConfig},
		{"nvram path", func(c *Config) { c.NVRAM = "../web.nvram" }, ErrInvalidConfig},
		{"consistency", func(c *Config) { c.Consistency = "mostly" }, ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleConfig()
			tt.change(c)
			data, _ := jsonOf(c)
			if _, err := ParseConfig(data); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := ParseConfig([]byte("[]")); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("not an object: %v", err)
	}
	bad := sampleConfig()
	bad.Name = ""
	if _, err := bad.Encode(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Encode: %v", err)
	}
}

func TestOVFManifest(t *testing.T) {
	m := sample()
	m.Files = append(m.Files, File{Name: NVRAMName("web"), Kind: KindNVRAM, SHA256: d2})
	mf := OVFManifest(m.Files)
	want := "SHA256(web-disk-0.vmdk)= " + d1 + "\nSHA256(web.ovf)= " + d3 + "\nSHA256(web.nvram)= " + d2 + "\n"
	if string(mf) != want {
		t.Fatalf(".mf =\n%s\nwant\n%s", mf, want)
	}
	parsed, err := ParseOVFManifest(append(mf, []byte("\nSHA1(extra.iso)= ABCDEF\n")...))
	if err != nil {
		t.Fatal(err)
	}
	if parsed["web.ovf"] != "SHA256:"+d3 || parsed["extra.iso"] != "SHA1:abcdef" || len(parsed) != 4 {
		t.Errorf("parsed = %v", parsed)
	}
	for _, bad := range []string{"garbage", "MD5(a)= 00", "SHA256()= 00", "SHA256(a)= ", "SHA256(a)= 1\nSHA256(a)= 2"} {
		if _, err := ParseOVFManifest([]byte(bad)); !errors.Is(err, ErrInvalidManifest) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
