package archive

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"

	"github.com/vmware/govmomi/ovf"
)

// FileRef is what a descriptor's References say of one file.
type FileRef struct {
	Name string
	Size int64
}

var (
	fileElement = regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?File\b[^>]*>`)
	idAttr      = regexp.MustCompile(`\s(?:[A-Za-z_][\w.-]*:)?id="([^"]*)"`)
	hrefAttr    = regexp.MustCompile(`(\s(?:[A-Za-z_][\w.-]*:)?href=")[^"]*(")`)
	sizeAttr    = regexp.MustCompile(`(\s(?:[A-Za-z_][\w.-]*:)?size=")[^"]*(")`)
)

// RenameDiskReferences makes disk i of the descriptor's DiskSection refer
// to files[i]: the File element it refers to gets files[i]'s name as its
// href and files[i]'s size. A host names the files of its descriptor after
// the device keys it is given (OvfCreateDescriptorParams.ovfFiles); keys it
// does not match — a backup made without an export lease has none of the
// lease's — leave its own names, which this replaces. Nothing else of the
// descriptor's text changes. It fails when the descriptor does not parse,
// has another number of disks, or a disk's file is not a File element of
// its own.
func RenameDiskReferences(desc []byte, files []FileRef) ([]byte, error) {
	env, err := ovf.Unmarshal(bytes.NewReader(desc))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDescriptor, err)
	}
	var disks []ovf.VirtualDiskDesc
	if env.Disk != nil {
		disks = env.Disk.Disks
	}
	if len(disks) != len(files) {
		return nil, fmt.Errorf("%w: %d disks in the descriptor, %d files to name", ErrInvalidDescriptor, len(disks), len(files))
	}
	want := map[string]FileRef{}
	for i, d := range disks {
		if d.FileRef == nil {
			return nil, fmt.Errorf("%w: disk %q refers to no file", ErrInvalidDescriptor, d.DiskID)
		}
		if _, dup := want[*d.FileRef]; dup {
			return nil, fmt.Errorf("%w: two disks refer to file %q", ErrInvalidDescriptor, *d.FileRef)
		}
		want[*d.FileRef] = files[i]
	}
	done := map[string]bool{}
	var ferr error
	out := fileElement.ReplaceAllFunc(desc, func(el []byte) []byte {
		m := idAttr.FindSubmatch(el)
		if m == nil {
			return el
		}
		id := string(m[1])
		ref, ok := want[id]
		if !ok {
			return el
		}
		if done[id] || !hrefAttr.Match(el) {
			ferr = fmt.Errorf("%w: file %q is not one File element with an href", ErrInvalidDescriptor, id)
			return el
		}
		done[id] = true
		return renameFile(el, ref)
	})
	if ferr != nil {
		return nil, ferr
	}
	for id := range want {
		if !done[id] {
			return nil, fmt.Errorf("%w: References has no File element %q", ErrInvalidDescriptor, id)
		}
	}
	return out, nil
}

// renameFile sets the href and size attributes of one File element.
func renameFile(el []byte, ref FileRef) []byte {
	var name bytes.Buffer
	_ = xml.EscapeText(&name, []byte(ref.Name))
	out := hrefAttr.ReplaceAll(el, []byte("${1}"+escapeDollars(name.String())+"${2}"))
	size := strconv.FormatInt(ref.Size, 10)
	if sizeAttr.Match(out) {
		return sizeAttr.ReplaceAll(out, []byte("${1}"+size+"${2}"))
	}
	// No size yet: add ovf:size after the href.
	loc := hrefAttr.FindIndex(out)
	res := append([]byte{}, out[:loc[1]]...)
	res = append(res, ` ovf:size="`+size+`"`...)
	return append(res, out[loc[1]:]...)
}

// escapeDollars makes s literal in a regexp replacement template.
func escapeDollars(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte("$"), []byte("$$")))
}
