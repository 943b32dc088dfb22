package vmdk

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestHeaderErrors: every header field a reader relies on is checked, and
// the error names it.
func TestHeaderErrors(t *testing.T) {
	cases := []struct {
		name  string
		mut   func(h *header)
		want  error
		field string
	}{
		{"version 4", func(h *header) { h.version = 4 }, ErrUnsupported, "version"},
		{"version 0", func(h *header) { h.version = 0 }, ErrUnsupported, "version"},
		{"unknown incompatible flag", func(h *header) { h.flags |= 1 << 18 }, ErrUnsupported, "flags"},
		{"grains not compressed", func(h *header) { h.flags &^= flagCompressed }, ErrUnsupported, "not streamOptimized"},
		{"no markers", func(h *header) { h.flags &^= flagMarkers }, ErrUnsupported, "not streamOptimized"},
		{"compression 2", func(h *header) { h.compressAlgorithm = 2 }, ErrUnsupported, "compressAlgorithm"},
		{"newline bytes converted", func(h *header) { h.newline[2] = '\n' }, ErrCorrupt, "newline"},
		{"capacity 0", func(h *header) { h.capacity = 0 }, ErrCorrupt, "capacity"},
		{"capacity past the limit", func(h *header) { h.capacity = MaxCapacity/SectorSize + 1 }, ErrLimit, "capacity"},
		{"grain size 0", func(h *header) { h.grainSize = 0 }, ErrCorrupt, "grainSize"},
		{"grain size 3", func(h *header) { h.grainSize = 3 }, ErrCorrupt, "grainSize"},
		{"grain size 2 MiB", func(h *header) { h.grainSize = 4096 }, ErrLimit, "grainSize"},
		{"100 entries per table", func(h *header) { h.numGTEsPerGT = 100 }, ErrCorrupt, "numGTEsPerGT"},
		{"huge grain directory", func(h *header) {
			h.capacity, h.grainSize, h.numGTEsPerGT = MaxCapacity/SectorSize, 1, 128
		}, ErrLimit, "grain directory"},
		{"overHead 0", func(h *header) { h.overHead = 0 }, ErrCorrupt, "overHead"},
		{"descriptor too large", func(h *header) { h.descriptorSize = 4096 }, ErrLimit, "descriptorSize"},
		{"descriptor past overHead", func(h *header) { h.descriptorOffset = 127; h.descriptorSize = 2 }, ErrCorrupt, "descriptorOffset"},
		{"descriptor at sector 0", func(h *header) { h.descriptorOffset = 0 }, ErrCorrupt, "descriptorOffset"},
		{"gdOffset 0", func(h *header) { h.gdOffset = 0 }, ErrCorrupt, "gdOffset"},
		{"grain directory after the grains", func(h *header) { h.gdOffset = 200 }, ErrUnsupported, "gdOffset"},
		{"grain directory across overHead", func(h *header) { h.gdOffset = 127; h.capacity = 1 << 30 }, ErrUnsupported, "gdOffset"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := testHeader(1024)
			c.mut(&h)
			_, err := NewStreamReader(bytes.NewReader(newBuilder(t, h).end()))
			wantErr(t, err, c.want)
			if !strings.Contains(err.Error(), c.field) {
				t.Fatalf("error %q does not name %q", err, c.field)
			}
		})
	}
}

// TestNotAnImage: short, foreign and truncated inputs.
func TestNotAnImage(t *testing.T) {
	valid := encode(t, pattern(1, 1<<20), 1<<20, WriterOptions{})
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"two bytes", []byte("KD"), ErrTruncated},
		{"half a header", valid[:100], ErrTruncated},
		{"raw disk", pattern(3, 4096), ErrNotVMDK},
		{"short foreign data", []byte("hello"), ErrNotVMDK},
		{"descriptor file", []byte(testDescriptor), ErrNotVMDK},
		{"cut in the descriptor", valid[:600], ErrTruncated},
		{"cut before the first grain", valid[:128*SectorSize-1], ErrTruncated},
		{"bad descriptor", newBuilderText(t, testHeader(1024), "version=1\nnonsense\n").end(), ErrDescriptor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewStreamReader(bytes.NewReader(c.in))
			wantErr(t, err, c.want)
		})
	}
}

var errInjected = errors.New("injected read failure")

// failingReader returns errInjected after n bytes.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errInjected
	}
	n, err := f.r.Read(p[:min(len(p), f.n)])
	f.n -= n
	return n, err
}

// TestReadFailures: an I/O error of the source comes back wrapped, and
// stays: later calls return it again.
func TestReadFailures(t *testing.T) {
	img := encode(t, pattern(1, 1<<20), 1<<20, WriterOptions{})
	for _, n := range []int{100, 1000, 70000, len(img) - 10} {
		r, err := NewStreamReader(&failingReader{r: bytes.NewReader(img), n: n})
		if err == nil {
			_, err = io.Copy(io.Discard, r)
			if _, _, again := r.Next(); !errors.Is(again, errInjected) {
				t.Fatalf("after %d bytes: Next after the failure gives %v", n, again)
			}
		}
		wantErr(t, err, errInjected)
	}
}

// TestDescriptorOfImage: the writer's options reach the embedded
// descriptor.
func TestDescriptorOfImage(t *testing.T) {
	img := encode(t, make([]byte, 3<<20), 1<<20, WriterOptions{
		FileName: "web01.vmdk", AdapterType: "ide", HWVersion: "13", CID: 0xabcdef12,
		DDB: map[string]string{"ddb.uuid": "60 00 C2 9f"},
	})
	r, err := NewStreamReader(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Descriptor()
	want := Extent{Access: "RW", Sectors: 3 << 11, Type: "SPARSE", File: "web01.vmdk"}
	if d.CID != 0xabcdef12 || d.CreateType != TypeStreamOptimized || len(d.Extents) != 1 || d.Extents[0] != want ||
		d.DDB["ddb.geometry.heads"] != "16" || d.DDB["ddb.virtualHWVersion"] != "13" || d.DDB["ddb.uuid"] != "60 00 C2 9f" {
		t.Fatalf("descriptor %+v", d)
	}
	if r.Capacity() != 3<<20 || r.GrainSize() != grain {
		t.Fatalf("capacity %d, grain %d", r.Capacity(), r.GrainSize())
	}
}
