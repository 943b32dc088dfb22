package vmdk

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// smallHeader is a header small enough for fuzzing: 4 KiB grains, 128
// entries per table, grains from sector 2.
func smallHeader(capacity uint64) header {
	h := testHeader(capacity)
	h.grainSize, h.numGTEsPerGT, h.overHead = 8, 128, 2
	return h
}

// fuzzSeeds are small valid images of both layouts.
func fuzzSeeds(t testing.TB) [][]byte {
	b := newBuilder(t, smallHeader(40))
	s0 := b.grain(0, pattern(1, 4096))
	s1 := b.grain(32, pattern(2, 4096))
	atEnd := b.finish(map[int]uint32{0: s0, 4: s1})

	h := smallHeader(40)
	h.gdOffset, h.overHead = 2, 4
	front := newBuilder(t, h)
	g := front.grain(8, pattern(3, 4096))
	img := front.buf.Bytes()
	img[2*SectorSize] = 3 // the directory points at the table in sector 3
	img[3*SectorSize+4] = byte(g)

	empty := newBuilder(t, smallHeader(7)).finish(nil)
	return [][]byte{atEnd, img, empty, atEnd[:len(atEnd)-SectorSize], []byte(testDescriptor)}
}

// isSentinel reports whether err wraps one of the package's errors.
func isSentinel(err error) bool {
	for _, s := range []error{ErrNotVMDK, ErrUnsupported, ErrCorrupt, ErrTruncated, ErrLimit, ErrDescriptor} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// FuzzStreamReader feeds arbitrary bytes to the reader: it must never
// panic, fail only with its own sentinels, return at most a grain from
// Next, and give through Read the same disk as through Next.
func FuzzStreamReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewStreamReader(bytes.NewReader(data))
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		small := r.Capacity() <= 256<<10 // compare Read and Next on small disks only, for speed
		var viaNext []byte
		if small {
			viaNext = make([]byte, r.Capacity())
		}
		var nextErr error
		for {
			off, d, err := r.Next()
			if err != nil {
				nextErr = err
				break
			}
			if len(d) > r.GrainSize() || off < 0 || off+int64(len(d)) > r.Capacity() {
				t.Fatalf("Next returned %d bytes at %d for capacity %d", len(d), off, r.Capacity())
			}
			if small {
				copy(viaNext[off:], d)
			}
		}
		if !errors.Is(nextErr, io.EOF) && !isSentinel(nextErr) {
			t.Fatalf("Next error %v wraps no sentinel", nextErr)
		}
		if !small {
			return
		}
		viaRead := make([]byte, r.Capacity()+1)
		r2, err := NewStreamReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("a second reader fails: %v", err)
		}
		n, readErr := io.ReadFull(r2, viaRead)
		if errors.Is(readErr, io.ErrUnexpectedEOF) && n == len(viaRead)-1 {
			readErr, viaRead = nil, viaRead[:n]
		}
		if (readErr == nil) != errors.Is(nextErr, io.EOF) {
			t.Fatalf("Read ends with %v, Next with %v", readErr, nextErr)
		}
		if readErr == nil && !bytes.Equal(viaRead, viaNext) {
			t.Fatal("Read and Next give different disks")
		}
	})
}

// FuzzParseDescriptor: parsing never panics, fails only with
// ErrDescriptor or ErrLimit, and what it accepts validates and formats to
// text that parses back to the same descriptor.
func FuzzParseDescriptor(f *testing.F) {
	f.Add([]byte(esxiDescriptor))
	f.Add([]byte(testDescriptor))
	f.Add([]byte("version=1\r\nRW 10 FLAT \"a b\" 5\r\nNOACCESS 3 ZERO\r\nddb.x=y\x00junk"))
	f.Add([]byte(VMFSDescriptor("x-flat.vmdk", DiskInfo{Capacity: 1 << 30}, true).String()))
	f.Fuzz(func(t *testing.T, text []byte) {
		d, err := ParseDescriptor(text)
		if err != nil {
			if !errors.Is(err, ErrDescriptor) && !errors.Is(err, ErrLimit) {
				t.Fatalf("error %v wraps neither ErrDescriptor nor ErrLimit", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("a parsed descriptor does not validate: %v", err)
		}
		again, err := ParseDescriptor([]byte(d.String()))
		if err != nil {
			t.Fatalf("reparsing:\n%s\n%v", d.String(), err)
		}
		if !reflect.DeepEqual(again, d) {
			t.Fatalf("round trip changed the descriptor:\n%+v\n%+v", d, again)
		}
	})
}

// FuzzStreamRoundTrip writes data with forward jumps and odd chunk sizes
// taken from the input, and reads the same disk back.
func FuzzStreamRoundTrip(f *testing.F) {
	f.Add([]byte{3, 0, 200, 1, 2, 3}, uint16(5))
	f.Add(pattern(1, 5000), uint16(300))
	f.Add(make([]byte, 70000), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, extra uint16) {
		capacity := int64(len(data)+int(extra)+SectorSize) / SectorSize * SectorSize
		var img bytes.Buffer
		w, err := NewStreamWriter(&img, capacity, WriterOptions{CID: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, capacity)
		off := int64(0)
		for p := data; len(p) > 0; {
			n := 1 + int(p[0])*37%len(p)
			gap := int64(p[0] % 3 * 7)
			if off+gap+int64(n) > capacity {
				gap = 0
			}
			copy(want[off+gap:], p[:n])
			if _, err := w.WriteAt(p[:n], off+gap); err != nil {
				t.Fatal(err)
			}
			off, p = off+gap+int64(n), p[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := decode(t, img.Bytes()); !bytes.Equal(got, want) {
			t.Fatal("different bytes")
		}
	})
}

// TestFuzzSeeds: the seeds of FuzzStreamReader are valid images (but the
// cut one and the descriptor file), so fuzzing starts from the real format.
func TestFuzzSeeds(t *testing.T) {
	for i, s := range fuzzSeeds(t) {
		_, err := decodeErr(s)
		if (err == nil) != (i < 3) {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}
