package vmdk

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// esxiDescriptor is the shape of the descriptor ESXi keeps beside a thin
// disk's "-flat.vmdk" file.
const esxiDescriptor = `# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
isNativeSnapshot="no"
createType="vmfs"

# Extent description
RW 33554432 VMFS "web01-flat.vmdk"

# The Disk Data Base 
#DDB

ddb.adapterType = "lsilogic"
ddb.geometry.cylinders = "2088"
ddb.geometry.heads = "255"
ddb.geometry.sectors = "63"
ddb.longContentID = "4ad8c2b1e3f5a9d7c6b4a2e0fffffffe"
ddb.thinProvisioned = "1"
ddb.uuid = "60 00 C2 9f 3a 11 2b 4c-8d 9e af b0 c1 d2 e3 f4"
ddb.virtualHWVersion = "14"
`

func TestParseDescriptor(t *testing.T) {
	d, err := ParseDescriptor([]byte(esxiDescriptor))
	if err != nil {
		t.Fatal(err)
	}
	want := Descriptor{
		Version: 1, Encoding: "UTF-8", CID: 0xfffffffe, ParentCID: NoParentCID, CreateType: "vmfs",
		Extents: []Extent{{Access: "RW", Sectors: 33554432, Type: "VMFS", File: "web01-flat.vmdk"}},
		DDB: map[string]string{
			"ddb.adapterType": "lsilogic", "ddb.geometry.cylinders": "2088", "ddb.geometry.heads": "255",
			"ddb.geometry.sectors": "63", "ddb.longContentID": "4ad8c2b1e3f5a9d7c6b4a2e0fffffffe",
			"ddb.thinProvisioned": "1", "ddb.uuid": "60 00 C2 9f 3a 11 2b 4c-8d 9e af b0 c1 d2 e3 f4",
			"ddb.virtualHWVersion": "14",
		},
		Other: map[string]string{"isNativeSnapshot": "no"},
	}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("got  %+v\nwant %+v", d, want)
	}
	if d.Capacity() != 16<<30 {
		t.Fatalf("capacity %d", d.Capacity())
	}
	again, err := ParseDescriptor([]byte(d.String()))
	if err != nil || !reflect.DeepEqual(again, d) {
		t.Fatalf("round trip: %v\n%s", err, d.String())
	}
}

// TestParseDescriptorForms: CRLF, NUL padding, comments, every extent form.
func TestParseDescriptorForms(t *testing.T) {
	text := "# comment\r\nversion=1\r\nCID=0000abcd\r\nparentCID=12345678\r\nparentFileNameHint=\"base disk.vmdk\"\r\n" +
		"createType=\"twoGbMaxExtentFlat\"\r\n\r\n" +
		"RW 4192256 FLAT \"a b-f001.vmdk\" 0\r\nRDONLY 100 FLAT \"x.vmdk\" 2048\r\nNOACCESS 8 ZERO\r\nRW 16 SPARSE \"s.vmdk\"\r\n" +
		"ddb.adapterType=ide\r\n\x00\x00\x00garbage after the padding"
	d, err := ParseDescriptor([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Extent{
		{Access: "RW", Sectors: 4192256, Type: "FLAT", File: "a b-f001.vmdk"},
		{Access: "RDONLY", Sectors: 100, Type: "FLAT", File: "x.vmdk", Offset: 2048},
		{Access: "NOACCESS", Sectors: 8, Type: "ZERO"},
		{Access: "RW", Sectors: 16, Type: "SPARSE", File: "s.vmdk"},
	}
	if !reflect.DeepEqual(d.Extents, want) || d.CID != 0xabcd || d.ParentCID != 0x12345678 ||
		d.ParentFileNameHint != "base disk.vmdk" || d.DDB["ddb.adapterType"] != "ide" || d.Encoding != "" {
		t.Fatalf("parsed %+v", d)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	again, err := ParseDescriptor([]byte(d.String()))
	if err != nil || !reflect.DeepEqual(again, d) {
		t.Fatalf("round trip: %v\n%s", err, d.String())
	}
	if empty, err := ParseDescriptor(nil); err != nil || empty.ParentCID != NoParentCID || empty.Extents != nil {
		t.Fatalf("empty descriptor: %+v, %v", empty, err)
	}
}

func TestParseDescriptorErrors(t *testing.T) {
	cases := map[string]string{
		"not a key":            "nonsense",
		"empty key":            `= "x"`,
		"repeated key":         "version=1\nversion=1",
		"unterminated quote":   `createType="vmfs`,
		"text after the quote": `createType="vmfs" # x`,
		"stray quote":          `createType=vm"fs`,
		"carriage return":      "createType=\"a\rb\"",
		"tab in key":           "a\tb = \"c\"",
		"bad CID":              "CID=xyz",
		"bad version":          "version=one",
		"bad parentCID":        "parentCID=123456789",
		"zero sectors":         `RW 0 FLAT "f" 0`,
		"sectors not a number": `RW x FLAT "f"`,
		"too many sectors":     `RW 999999999999999 FLAT "f"`,
		"unknown type":         `RW 10 BOGUS "f"`,
		"no file":              "RW 10 FLAT",
		"ZERO with a file":     `RW 10 ZERO "f"`,
		"empty file":           `RW 10 FLAT ""`,
		"unterminated file":    `RW 10 FLAT "f`,
		"negative offset":      `RW 10 FLAT "f" -1`,
		"offset not a number":  `RW 10 FLAT "f" x`,
		"short extent":         "RW 10",
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseDescriptor([]byte("version=1\n\n" + line + "\n"))
			wantErr(t, err, ErrDescriptor)
			if !strings.Contains(err.Error(), "line 3") {
				t.Fatalf("error %q does not name line 3", err)
			}
		})
	}
	_, err := ParseDescriptor(make([]byte, MaxDescriptorSize+1))
	wantErr(t, err, ErrLimit)
}

// TestVMFSDescriptorText pins the text of the descriptor a restore uploads.
func TestVMFSDescriptorText(t *testing.T) {
	d := VMFSDescriptor("web01-flat.vmdk", DiskInfo{Capacity: 16 << 30, CID: 0x1a2b3c4d, HWVersion: "14"}, true)
	want := `# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=1a2b3c4d
parentCID=ffffffff
createType="vmfs"

# Extent description
RW 33554432 VMFS "web01-flat.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.geometry.cylinders = "2088"
ddb.geometry.heads = "255"
ddb.geometry.sectors = "63"
ddb.thinProvisioned = "1"
ddb.virtualHWVersion = "14"
`
	if got := d.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	for _, d := range []Descriptor{d, MonolithicSparseDescriptor("a.vmdk", DiskInfo{Capacity: 512}), VMFSDescriptor("b-flat.vmdk", DiskInfo{Capacity: 512}, false)} {
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	if s := MonolithicSparseDescriptor("a.vmdk", DiskInfo{Capacity: 1 << 20}); s.CreateType != TypeMonolithicSparse || s.Extents[0].Type != "SPARSE" {
		t.Fatalf("%+v", s)
	}
	if f := VMFSDescriptor("b-flat.vmdk", DiskInfo{Capacity: 512}, false); f.DDB["ddb.thinProvisioned"] != "" {
		t.Fatal("thick disk marked thin")
	}
}

func TestValidate(t *testing.T) {
	base := func() Descriptor { return MonolithicFlatDescriptor("f.vmdk", DiskInfo{Capacity: 1 << 20}) }
	cases := map[string]func(d *Descriptor){
		"quote in createType":   func(d *Descriptor) { d.CreateType = `a"b` },
		"newline in a ddb":      func(d *Descriptor) { d.DDB["ddb.x"] = "a\nb" },
		"ddb key in Other":      func(d *Descriptor) { d.Other = map[string]string{"ddb.x": "y"} },
		"plain key in DDB":      func(d *Descriptor) { d.DDB["x"] = "y" },
		"typed key in Other":    func(d *Descriptor) { d.Other = map[string]string{"CID": "1"} },
		"comment key":           func(d *Descriptor) { d.Other = map[string]string{"#x": "1"} },
		"key with spaces":       func(d *Descriptor) { d.Other = map[string]string{" x": "1"} },
		"key like an extent":    func(d *Descriptor) { d.Other = map[string]string{"RW x": "1"} },
		"unknown access":        func(d *Descriptor) { d.Extents[0].Access = "RO" },
		"unknown type":          func(d *Descriptor) { d.Extents[0].Type = "NBD" },
		"no sectors":            func(d *Descriptor) { d.Extents[0].Sectors = 0 },
		"quote in a file":       func(d *Descriptor) { d.Extents[0].File = `a"b` },
		"newline in a file":     func(d *Descriptor) { d.Extents[0].File = "a\nb" },
		"ZERO with a file name": func(d *Descriptor) { d.Extents[0].Type = "ZERO" },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			d := base()
			mut(&d)
			if err := d.Validate(); !errors.Is(err, ErrDescriptor) {
				t.Fatalf("%v, want ErrDescriptor", err)
			}
		})
	}
	if err := base().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestGeometry(t *testing.T) {
	cases := []struct {
		capacity       int64
		adapter        string
		cyl, heads, st int64
	}{
		{16 << 30, "lsilogic", 2088, 255, 63},
		{16 << 30, "ide", 16383, 16, 63},
		{1 << 20, "ide", 2, 16, 63},
		{512, "buslogic", 1, 255, 63},
		{62 << 40, "lsilogic", 65535, 255, 63},
	}
	for _, c := range cases {
		if cyl, h, s := Geometry(c.capacity, c.adapter); cyl != c.cyl || h != c.heads || s != c.st {
			t.Errorf("Geometry(%d, %s) = %d/%d/%d, want %d/%d/%d", c.capacity, c.adapter, cyl, h, s, c.cyl, c.heads, c.st)
		}
	}
}
