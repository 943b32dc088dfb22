package archive

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"
)

// Format and version written in every manifest and configuration record.
const (
	FormatName = "ceso-backup"
	// Version is the format version this code writes and the newest it
	// reads. Version 2 added the nvram kind, each disk's format and the
	// configuration record's consistency and nvram; a version 1 backup
	// reads as one whose disks are as the export lease served them.
	Version = 2
)

// Compressions a file may be stored with.
const (
	CompressionZstd = "zstd"
	CompressionNone = "none"
)

// Kinds of files in a backup.
const (
	KindDescriptor  = "descriptor"   // the OVF descriptor
	KindOVFManifest = "ovf-manifest" // the .mf file
	KindDisk        = "disk"         // a disk as the host exported it
	KindConfig      = "config"       // config.json
	KindNVRAM       = "nvram"        // the VM's firmware variables (<vm>.nvram)
)

// Formats of a stored disk (File.Format), once decompressed.
const (
	// DiskStreamOptimized is a streamOptimized VMDK: what an ESXi export
	// lease serves, and what a hot backup writes from the disk it reads.
	DiskStreamOptimized = "streamOptimized"
	// DiskFlat is the raw disk, byte for byte (a flat extent's data).
	DiskFlat = "flat"
)

// File is one file of a backup.
type File struct {
	// Name is the file's name once decompressed; the descriptor and the .mf
	// refer to it by this name.
	Name string `json:"name"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Size and SHA256 describe the file once decompressed.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Compression is CompressionZstd or CompressionNone.
	Compression string `json:"compression"`
	// Stored is the name on the target; StoredSize and StoredSHA256
	// describe the bytes stored.
	Stored       string `json:"stored"`
	StoredSize   int64  `json:"stored_size"`
	StoredSHA256 string `json:"stored_sha256"`
	// DeviceKey is the export lease's device key of a disk or of the
	// NVRAM file.
	DeviceKey string `json:"device_key,omitempty"`
	// Format is a disk's format once decompressed (DiskStreamOptimized or
	// DiskFlat); empty in a version 1 backup, whose disks are as the export
	// lease served them (read their first bytes: SniffDiskFormat).
	Format string `json:"format,omitempty"`
}

// Compression records how disks were compressed.
type Compression struct {
	Algorithm string `json:"algorithm"`
	Level     int    `json:"level,omitempty"`
}

// Manifest lists every file of a backup. It is written last; its SHA-256 is
// the checksum the catalog records for the backup.
type Manifest struct {
	Format      string      `json:"format"`
	Version     int         `json:"version"`
	ID          string      `json:"id"`
	VMName      string      `json:"vm_name"`
	Created     time.Time   `json:"created"`
	Compression Compression `json:"compression"`
	Files       []File      `json:"files"`
}

// Encode returns the manifest as indented JSON ending in a newline.
func (m *Manifest) Encode() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return append(data, '\n'), nil
}

// ParseManifest reads and validates a manifest. A manifest of a newer
// format version fails with ErrUnsupportedVersion.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidManifest, err)
	}
	if m.Format != FormatName {
		return nil, fmt.Errorf("%w: format %q is not %q", ErrInvalidManifest, m.Format, FormatName)
	}
	if m.Version > Version {
		return nil, fmt.Errorf("%w: manifest version %d, this ceso reads up to %d", ErrUnsupportedVersion, m.Version, Version)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks the rules of the format: known kinds and compressions,
// safe unique names, hex digests, sizes not negative, exactly one
// descriptor and one configuration record, at least one disk.
func (m *Manifest) Validate() error {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if m.Format != FormatName || m.Version < 1 {
		add("format %q version %d", m.Format, m.Version)
	}
	if m.ID == "" || !safeFileName(m.ID) {
		add("id %q", m.ID)
	}
	if strings.TrimSpace(m.VMName) == "" {
		add("vm_name is empty")
	}
	if m.Created.IsZero() {
		add("created is not set")
	}
	counts := map[string]int{}
	names := map[string]bool{}
	for i, f := range m.Files {
		if err := f.validate(); err != nil {
			add("file %d: %v", i, err)
			continue
		}
		if m.Version < 2 && (f.Kind == KindNVRAM || f.Format != "") {
			add("file %d: a version %d manifest has no nvram and no disk format", i, m.Version)
		}
		counts[f.Kind]++
		own := []string{f.Name}
		if f.Stored != f.Name {
			own = append(own, f.Stored)
		}
		for _, n := range own {
			if names[n] {
				add("file %d: name %q used twice", i, n)
			}
			names[n] = true
		}
	}
	if counts[KindDescriptor] != 1 || counts[KindConfig] != 1 || counts[KindDisk] < 1 || counts[KindOVFManifest] > 1 || counts[KindNVRAM] > 1 {
		add("want one descriptor, one config, at least one disk, at most one .mf and at most one nvram; have %d, %d, %d, %d, %d",
			counts[KindDescriptor], counts[KindConfig], counts[KindDisk], counts[KindOVFManifest], counts[KindNVRAM])
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidManifest, strings.Join(problems, "; "))
	}
	return nil
}

func (f File) validate() error {
	switch {
	case !safeFileName(f.Name) || !safeFileName(f.Stored):
		return fmt.Errorf("name %q or stored name %q is not a plain file name", f.Name, f.Stored)
	case f.Name == ManifestName || f.Stored == ManifestName:
		return fmt.Errorf("name %q is reserved", ManifestName)
	case f.Kind != KindDescriptor && f.Kind != KindOVFManifest && f.Kind != KindDisk && f.Kind != KindConfig && f.Kind != KindNVRAM:
		return fmt.Errorf("unknown kind %q", f.Kind)
	case f.Format != "" && (f.Kind != KindDisk || (f.Format != DiskStreamOptimized && f.Format != DiskFlat)):
		return fmt.Errorf("format %q of %s %q: only a disk has one, %s or %s", f.Format, f.Kind, f.Name, DiskStreamOptimized, DiskFlat)
	case f.Compression != CompressionZstd && f.Compression != CompressionNone:
		return fmt.Errorf("unknown compression %q", f.Compression)
	case f.Stored != StoredName(f.Name, f.Compression):
		return fmt.Errorf("stored name %q does not match name %q and compression %s", f.Stored, f.Name, f.Compression)
	case f.Size < 0 || f.StoredSize < 0:
		return fmt.Errorf("negative size")
	case !isSHA256(f.SHA256) || !isSHA256(f.StoredSHA256):
		return fmt.Errorf("digest of %q is not a lower-case SHA-256 in hex", f.Name)
	case f.Compression == CompressionNone && (f.Size != f.StoredSize || f.SHA256 != f.StoredSHA256):
		return fmt.Errorf("uncompressed file %q has differing stored size or digest", f.Name)
	}
	return nil
}

// Find returns the file named name (its decompressed name), or false.
func (m *Manifest) Find(name string) (File, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// OfKind returns the files of one kind, in manifest order.
func (m *Manifest) OfKind(kind string) []File {
	var out []File
	for _, f := range m.Files {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// StoredSize is the total of the stored sizes.
func (m *Manifest) StoredSize() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.StoredSize
	}
	return n
}

// Size is the total of the decompressed sizes.
func (m *Manifest) Size() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// safeFileName reports whether s is a plain name: no separator, not "." or
// "..", no control character, not a temporary name.
func safeFileName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 255 || IsTemp(s) || path.Base(s) != s {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return false
		}
	}
	return true
}

func isSHA256(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
