package vmdk

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// TestWriterRefusals: invalid capacities and options, writes out of order
// or past the capacity, and use after Close.
func TestWriterRefusals(t *testing.T) {
	for _, c := range []int64{0, -512, 1000, MaxCapacity + 512} {
		if _, err := NewStreamWriter(io.Discard, c, WriterOptions{}); !errors.Is(err, ErrCapacity) {
			t.Errorf("capacity %d: %v, want ErrCapacity", c, err)
		}
	}
	for name, opts := range map[string]WriterOptions{
		"bad level":           {Level: 42},
		"key outside ddb":     {DDB: map[string]string{"uuid": "x"}},
		"quote in a value":    {DDB: map[string]string{"ddb.uuid": `a"b`}},
		"newline in the name": {FileName: "a\nb.vmdk"},
		"huge ddb":            {DDB: map[string]string{"ddb.comment": strings.Repeat("x", MaxDescriptorSize)}},
	} {
		if _, err := NewStreamWriter(io.Discard, 1<<20, opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	w, err := NewStreamWriter(io.Discard, 1<<20, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("abc"), 100); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("x"), 50); !errors.Is(err, ErrNotSequential) {
		t.Fatalf("backwards: %v", err)
	}
	if _, err := w.WriteAt([]byte("xy"), 1<<20-1); !errors.Is(err, ErrCapacity) {
		t.Fatalf("past the capacity: %v", err)
	}
	if _, err := w.Write(make([]byte, 1<<20)); !errors.Is(err, ErrCapacity) {
		t.Fatalf("past the capacity: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

var errDiskFull = errors.New("disk full")

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

// TestWriterFailures: a failure of the underlying writer, at any point,
// comes back wrapped and stays.
func TestWriterFailures(t *testing.T) {
	raw := pattern(5, 4<<20)
	full := len(encode(t, raw, len(raw), WriterOptions{CID: 1}))
	for _, n := range []int{10, 128 * SectorSize, 200000, full - 3000, full - 10} {
		fw := &failingWriter{n: n}
		w, err := NewStreamWriter(fw, int64(len(raw)), WriterOptions{CID: 1})
		if err == nil {
			if _, err = w.Write(raw); err == nil {
				err = w.Close()
			}
			if _, again := w.Write([]byte("x")); !errors.Is(again, errDiskFull) {
				t.Errorf("after %d bytes: a later write gives %v", n, again)
			}
		}
		if !errors.Is(err, errDiskFull) {
			t.Errorf("after %d bytes: %v, want the writer's failure", n, err)
		}
	}
}

// TestWriterAddressLimit: grain tables hold 32-bit sectors; an image that
// would pass them stops with ErrLimit instead of writing a wrong table.
func TestWriterAddressLimit(t *testing.T) {
	w, err := NewStreamWriter(io.Discard, 1<<20, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.off = int64(math.MaxUint32) * SectorSize
	if _, err := w.Write(pattern(1, grain)); !errors.Is(err, ErrLimit) {
		t.Fatalf("%v, want ErrLimit", err)
	}
	if err := w.Close(); !errors.Is(err, ErrLimit) {
		t.Fatalf("Close after the failure: %v", err)
	}
}

// TestWriterCID: a given CID is kept; without one a random CID avoids the
// values VMware reserves.
func TestWriterCID(t *testing.T) {
	cids := map[uint32]bool{}
	for range 20 {
		img := encode(t, make([]byte, 512), 512, WriterOptions{})
		r, err := NewStreamReader(bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		cid := r.Descriptor().CID
		if cid == 0 || cid >= 0xfffffffe {
			t.Fatalf("random CID %08x", cid)
		}
		cids[cid] = true
	}
	if len(cids) < 19 {
		t.Fatalf("only %d distinct CIDs in 20 images", len(cids))
	}
}

// TestWriterLayout checks the image's shape the way ESXi's export has it:
// header with GD_AT_END, descriptor, grains from overHead 128, and the last
// three sectors footer marker, footer, end-of-stream marker (where qemu
// looks for them).
func TestWriterLayout(t *testing.T) {
	img := encode(t, pattern(1, 3<<20), 1<<20, WriterOptions{CID: 7, Level: 9})
	h, err := parseHeader(img)
	if err != nil {
		t.Fatal(err)
	}
	if h.gdOffset != gdAtEnd || h.overHead != 128 || h.version != 3 || h.flags != 0x30001 || h.descriptorOffset != 1 {
		t.Fatalf("header %+v", h)
	}
	tail := img[len(img)-3*SectorSize:]
	if le32(tail[12:]) != markerFooter || le64(tail) != 1 {
		t.Fatalf("no footer marker before the last two sectors")
	}
	f, err := parseHeader(tail[SectorSize:])
	if err != nil || f.gdOffset == gdAtEnd || f.capacity != h.capacity {
		t.Fatalf("footer %+v, %v", f, err)
	}
	if !bytes.Equal(tail[2*SectorSize:], make([]byte, SectorSize)) {
		t.Fatal("the last sector is not an end-of-stream marker")
	}
	if m := img[128*SectorSize:]; le64(m) != 0 || le32(m[8:]) == 0 {
		t.Fatal("the first grain does not start at overHead")
	}
}
