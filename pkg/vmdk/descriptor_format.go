package vmdk

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// String formats the descriptor the way VMware writes one: header keys,
// the extent description, then the disk database sorted by key. A
// descriptor that ParseDescriptor returned is formatted so that parsing the
// text again gives the same Descriptor; Validate reports values that could
// not be carried.
func (d Descriptor) String() string {
	var b strings.Builder
	b.WriteString("# Disk DescriptorFile\n")
	fmt.Fprintf(&b, "version=%d\n", d.Version)
	if d.Encoding != "" {
		fmt.Fprintf(&b, "encoding=\"%s\"\n", d.Encoding)
	}
	fmt.Fprintf(&b, "CID=%08x\nparentCID=%08x\n", d.CID, d.ParentCID)
	if d.ParentFileNameHint != "" {
		fmt.Fprintf(&b, "parentFileNameHint=\"%s\"\n", d.ParentFileNameHint)
	}
	fmt.Fprintf(&b, "createType=\"%s\"\n", d.CreateType)
	for _, k := range sortedKeys(d.Other) {
		fmt.Fprintf(&b, "%s=\"%s\"\n", k, d.Other[k])
	}
	b.WriteString("\n# Extent description\n")
	for _, e := range d.Extents {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	b.WriteString("\n# The Disk Data Base\n#DDB\n\n")
	for _, k := range sortedKeys(d.DDB) {
		fmt.Fprintf(&b, "%s = \"%s\"\n", k, d.DDB[k])
	}
	return b.String()
}

// String formats one extent line.
func (e Extent) String() string {
	s := fmt.Sprintf("%s %d %s", e.Access, e.Sectors, e.Type)
	if e.Type == "ZERO" {
		return s
	}
	s += ` "` + e.File + `"`
	if e.Type == "FLAT" || e.Offset != 0 {
		s += " " + strconv.FormatInt(e.Offset, 10)
	}
	return s
}

// Validate reports a field that String cannot write so that it reads back
// the same: an unknown extent access or type, a value or file name holding
// a quote, CR, LF or NUL, or a key that is empty, has a quote, tab, "=",
// CR, LF, NUL or surrounding spaces, starts with "#" or an extent access
// word, or sits in the wrong map (ddb.* keys in DDB, others in Other).
func (d Descriptor) Validate() error {
	values := map[string]string{"encoding": d.Encoding, "createType": d.CreateType, "parentFileNameHint": d.ParentFileNameHint}
	for ddb, m := range map[bool]map[string]string{false: d.Other, true: d.DDB} {
		for k, v := range m {
			if err := validKey(k, ddb); err != nil {
				return err
			}
			values[k] = v
		}
	}
	for k, v := range values {
		if strings.ContainsAny(v, "\"\r\n\x00") {
			return fmt.Errorf("value of %s has a quote, CR, LF or NUL: %w", k, ErrDescriptor)
		}
	}
	for i, e := range d.Extents {
		got, err := parseExtent(e.String())
		if err != nil || got != e || !extentAccess[e.Access] || strings.ContainsAny(e.File, "\r\n\x00") {
			return fmt.Errorf("extent %d (%s) cannot be written: %w", i+1, clip(e.String()), ErrDescriptor)
		}
	}
	return nil
}

func validKey(k string, ddb bool) error {
	first, _, spaced := strings.Cut(k, " ")
	if k == "" || k != strings.TrimSpace(k) || strings.ContainsAny(k, "\"\t=\r\n\x00") || k[0] == '#' || spaced && extentAccess[first] {
		return fmt.Errorf("key %q cannot be written: %w", k, ErrDescriptor)
	}
	if strings.HasPrefix(k, "ddb.") != ddb {
		return fmt.Errorf("key %q is in the wrong map (ddb.* keys go in DDB, others in Other): %w", k, ErrDescriptor)
	}
	switch k {
	case "version", "encoding", "CID", "parentCID", "createType", "parentFileNameHint":
		return fmt.Errorf("key %q belongs in its own field: %w", k, ErrDescriptor)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
