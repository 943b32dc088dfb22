package vmdk

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// NoParentCID is the parentCID of a disk without a parent.
const NoParentCID = 0xffffffff

// Descriptor is a VMDK disk descriptor: the text that names a disk's
// extents and carries its disk database (ddb.*). It is embedded in a sparse
// extent (streamOptimized, monolithicSparse) or is a file of its own (vmfs,
// monolithicFlat, whose data is in a separate "-flat.vmdk" extent).
type Descriptor struct {
	// Version is the descriptor format version ("version=1").
	Version int
	// Encoding is the text encoding, usually "UTF-8"; empty when absent.
	Encoding string
	// CID is the content ID, changed on every write of the disk.
	CID uint32
	// ParentCID is the parent's content ID, NoParentCID without a parent
	// (also when the line is absent).
	ParentCID uint32
	// CreateType is the disk's type: streamOptimized, monolithicSparse,
	// monolithicFlat, vmfs, vmfsSparse, seSparse, twoGbMaxExtentSparse, ...
	CreateType string
	// ParentFileNameHint names the parent of a delta disk; empty otherwise.
	ParentFileNameHint string
	// Extents lists where the disk's sectors are, in order.
	Extents []Extent
	// DDB is the disk database, keyed by the full name ("ddb.adapterType").
	DDB map[string]string
	// Other holds any other header key (isNativeSnapshot, changeTrackPath,
	// ...), so that a descriptor is written back with nothing lost.
	Other map[string]string
}

// Extent is one extent line: `RW 16777216 VMFS "disk-flat.vmdk"`.
type Extent struct {
	// Access is RW, RDONLY or NOACCESS.
	Access string
	// Sectors is the extent's size in 512-byte sectors.
	Sectors int64
	// Type is FLAT, SPARSE, ZERO, VMFS, VMFSSPARSE, VMFSRDM, VMFSRAW or
	// SESPARSE.
	Type string
	// File is the extent's file name, relative to the descriptor; empty
	// for ZERO.
	File string
	// Offset is where the extent starts in File, in sectors (FLAT).
	Offset int64
}

var (
	extentAccess = map[string]bool{"RW": true, "RDONLY": true, "NOACCESS": true}
	extentTypes  = map[string]bool{"FLAT": true, "SPARSE": true, "ZERO": true, "VMFS": true,
		"VMFSSPARSE": true, "VMFSRDM": true, "VMFSRAW": true, "SESPARSE": true}
)

// Capacity is the disk's size in bytes: the sum of its extents.
func (d Descriptor) Capacity() int64 {
	var n int64
	for _, e := range d.Extents {
		n += e.Sectors * SectorSize
	}
	return n
}

// ParseDescriptor parses a descriptor. Text after a NUL byte is ignored (an
// embedded descriptor is padded with NULs to its sectors); lines may end in
// "\n" or "\r\n"; blank lines and "#" comments are skipped. A line that is
// neither an extent nor a key = value pair, a repeated key, or a value with
// a quote, CR or LF inside is refused with ErrDescriptor naming the line.
func ParseDescriptor(text []byte) (Descriptor, error) {
	if len(text) > MaxDescriptorSize {
		return Descriptor{}, fmt.Errorf("descriptor is %d bytes, more than %d: %w", len(text), MaxDescriptorSize, ErrLimit)
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	d := Descriptor{ParentCID: NoParentCID}
	seen := map[string]bool{}
	for n, line := range strings.Split(string(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.ContainsRune(line, '\r') {
			return Descriptor{}, fmt.Errorf("descriptor line %d %q: carriage return inside the line: %w", n+1, clip(line), ErrDescriptor)
		}
		if err := d.parseLine(line, seen); err != nil {
			return Descriptor{}, fmt.Errorf("descriptor line %d %q: %w", n+1, clip(line), err)
		}
	}
	return d, nil
}

func (d *Descriptor) parseLine(line string, seen map[string]bool) error {
	first, _, _ := strings.Cut(line, " ")
	if extentAccess[first] {
		e, err := parseExtent(line)
		if err != nil {
			return err
		}
		d.Extents = append(d.Extents, e)
		return nil
	}
	key, raw, ok := strings.Cut(line, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.ContainsAny(key, "\"\t") {
		return fmt.Errorf("neither an extent nor a key = value line: %w", ErrDescriptor)
	}
	if seen[key] {
		return fmt.Errorf("key %s repeated: %w", key, ErrDescriptor)
	}
	seen[key] = true
	value, err := parseValue(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("value of %s: %w", key, err)
	}
	return d.set(key, value)
}

// set stores one key's value in its field.
func (d *Descriptor) set(key, value string) error {
	var err error
	switch key {
	case "version":
		d.Version, err = strconv.Atoi(value)
	case "encoding":
		d.Encoding = value
	case "CID":
		d.CID, err = parseCID(value)
	case "parentCID":
		d.ParentCID, err = parseCID(value)
	case "createType":
		d.CreateType = value
	case "parentFileNameHint":
		d.ParentFileNameHint = value
	default:
		m := &d.Other
		if strings.HasPrefix(key, "ddb.") {
			m = &d.DDB
		}
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[key] = value
	}
	if err != nil {
		return fmt.Errorf("%s %q is not a number: %w", key, value, ErrDescriptor)
	}
	return nil
}

func parseCID(v string) (uint32, error) {
	n, err := strconv.ParseUint(v, 16, 32)
	return uint32(n), err
}

// parseValue unquotes a value: "x" or a bare word.
func parseValue(v string) (string, error) {
	if !strings.HasPrefix(v, `"`) {
		if strings.Contains(v, `"`) {
			return "", fmt.Errorf("stray quote: %w", ErrDescriptor)
		}
		return v, nil
	}
	inner, ok := strings.CutPrefix(v, `"`)
	end := strings.IndexByte(inner, '"')
	if !ok || end < 0 {
		return "", fmt.Errorf("unterminated quote: %w", ErrDescriptor)
	}
	if end != len(inner)-1 {
		return "", fmt.Errorf("text after the closing quote: %w", ErrDescriptor)
	}
	return inner[:end], nil
}

// parseExtent parses `ACCESS SECTORS TYPE ["FILE" [OFFSET]]`.
func parseExtent(line string) (Extent, error) {
	head, file, quoted := strings.Cut(line, `"`)
	f := strings.Fields(head)
	if len(f) != 3 {
		return Extent{}, fmt.Errorf("extent line wants ACCESS SECTORS TYPE [\"FILE\" [OFFSET]]: %w", ErrDescriptor)
	}
	e := Extent{Access: f[0], Type: f[2]}
	var err error
	if e.Sectors, err = strconv.ParseInt(f[1], 10, 64); err != nil || e.Sectors <= 0 || e.Sectors > MaxCapacity/SectorSize {
		return Extent{}, fmt.Errorf("extent size %q is not a sector count from 1 to %d: %w", f[1], MaxCapacity/SectorSize, ErrDescriptor)
	}
	if !extentTypes[e.Type] {
		return Extent{}, fmt.Errorf("extent type %q is unknown: %w", e.Type, ErrDescriptor)
	}
	if !quoted {
		if e.Type != "ZERO" {
			return Extent{}, fmt.Errorf("%s extent without a file name: %w", e.Type, ErrDescriptor)
		}
		return e, nil
	}
	if e.Type == "ZERO" {
		return Extent{}, fmt.Errorf("ZERO extent with a file name: %w", ErrDescriptor)
	}
	name, rest, ok := strings.Cut(file, `"`)
	if !ok || name == "" {
		return Extent{}, fmt.Errorf("extent file name is empty or unterminated: %w", ErrDescriptor)
	}
	e.File = name
	if rest = strings.TrimSpace(rest); rest != "" {
		if e.Offset, err = strconv.ParseInt(rest, 10, 64); err != nil || e.Offset < 0 {
			return Extent{}, fmt.Errorf("extent offset %q is not a sector number: %w", rest, ErrDescriptor)
		}
	}
	return e, nil
}

// clip shortens a line quoted in an error.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
