package archive

import (
	"os"
	"strings"
	"testing"
)

func FuzzParseManifest(f *testing.F) {
	good, _ := sample().Encode()
	f.Add(good)
	f.Add([]byte(`{"format":"ceso-backup","version":1}`))
	f.Add([]byte(`{"files":[{"name":"..","stored":"..."}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		// Whatever parses must encode and parse to the same.
		again, err := m.Encode()
		if err != nil {
			t.Fatalf("a parsed manifest does not encode: %v", err)
		}
		if _, err := ParseManifest(again); err != nil {
			t.Fatalf("re-encoded manifest does not parse: %v", err)
		}
		for _, f := range m.Files {
			if strings.Contains(f.Stored, "/") || f.Stored == ".." || IsTemp(f.Stored) {
				t.Fatalf("unsafe stored name %q accepted", f.Stored)
			}
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	good, _ := sampleConfig().Encode()
	f.Add(good)
	f.Add([]byte(`{"format":"ceso-backup","version":1,"name":"x","disks":[{"file":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if _, err := c.Encode(); err != nil {
			t.Fatalf("a parsed record does not encode: %v", err)
		}
	})
}

func FuzzParseDescriptor(f *testing.F) {
	if data, err := os.ReadFile("testdata/web.ovf"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`<Envelope><VirtualSystem ovf:id="x"><VirtualHardwareSection></VirtualHardwareSection></VirtualSystem></Envelope>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDescriptor(data)
		if err != nil {
			return
		}
		for _, disk := range d.Disks {
			if disk.CapacityBytes <= 0 || disk.File == "" {
				t.Fatalf("accepted disk %+v", disk)
			}
		}
	})
}

func FuzzRenameDiskReferences(f *testing.F) {
	if data, err := os.ReadFile("testdata/web.ovf"); err == nil {
		f.Add(data, "db-disk-0.vmdk", int64(5))
	}
	f.Add([]byte(`<Envelope><References><File href="a" id="f"/></References><DiskSection><Disk ovf:fileRef="f"/></DiskSection></Envelope>`), "b", int64(0))
	f.Fuzz(func(t *testing.T, data []byte, name string, size int64) {
		out, err := RenameDiskReferences(data, []FileRef{{Name: name, Size: size}})
		if err != nil {
			return
		}
		if before, err := ParseDescriptor(data); err == nil && len(before.Disks) == 1 && strings.IndexFunc(name, func(r rune) bool { return r < 0x20 }) < 0 {
			after, err := ParseDescriptor(out)
			if err != nil || after.Disks[0].File != name {
				t.Fatalf("renamed descriptor parses as %+v, %v", after, err)
			}
		}
	})
}

func FuzzParseOVFManifest(f *testing.F) {
	f.Add(OVFManifest(sample().Files))
	f.Add([]byte("SHA1(a.vmdk)= 00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseOVFManifest(data)
		if err != nil {
			return
		}
		for name, v := range m {
			if name == "" || !strings.Contains(v, ":") {
				t.Fatalf("entry %q = %q", name, v)
			}
		}
	})
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"web", "", ".", "..", "a.partial", "my vm", strings.Repeat("é", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, vm string) {
		s := SafeName(vm)
		if s == "" || len(s) > 80 || IsTemp(s) || s[0] == '.' || s[0] == '-' || !safeFileName(s) {
			t.Fatalf("SafeName(%q) = %q", vm, s)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
				t.Fatalf("SafeName(%q) = %q holds %q", vm, s, r)
			}
		}
	})
}
