package vmdk

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// g0 and g1 are the data of the two grains of the images built below.
var g0, g1 = pattern(10, grain), pattern(11, grain)

// twoGrains starts an image of 1024 sectors (one grain table) holding
// grains 0 and 2 and returns it with their sectors.
func twoGrains(t *testing.T) (*builder, uint32, uint32) {
	t.Helper()
	b := newBuilder(t, testHeader(1024))
	return b, b.grain(0, g0), b.grain(256, g1)
}

// streamErrorCases are images damaged after the header, with the sentinel
// and the words of the error each must give.
var streamErrorCases = []struct {
	name  string
	build func(t *testing.T) []byte
	want  error
	says  string
}{
	{"grain beyond the capacity", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		b.grain(1024, g0)
		return b.finish(nil)
	}, ErrCorrupt, "beyond the capacity"},
	{"grain lba not on a grain", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		b.grain(5, g0)
		return b.finish(nil)
	}, ErrCorrupt, "multiple of the grain"},
	{"grains out of order", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		b.grain(256, g1)
		b.grain(0, g0)
		return b.finish(nil)
	}, ErrCorrupt, "ascending"},
	{"grain twice", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		b.grain(0, g0)
		b.grain(0, g0)
		return b.finish(nil)
	}, ErrCorrupt, "ascending"},
	{"oversized grain marker", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		b.sizedGrain(0, 0xffffffff, []byte("x"))
		return b.finish(nil)
	}, ErrLimit, "size 4294967295"},
	{"largest grain marker, cut short", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		b.sizedGrain(0, uint32(maxCompressed(grain)), []byte("x"))
		return b.finish(nil)
	}, ErrTruncated, "compressed grain"},
	{"largest grain marker, not zlib", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		b.sizedGrain(0, uint32(maxCompressed(grain)), make([]byte, maxCompressed(grain)))
		return b.finish(nil)
	}, ErrCorrupt, "inflate"},
	{"damaged compressed data", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		z := zlibBytes(t, g0)
		z[len(z)/2] ^= 0xff
		at := b.rawGrain(0, z)
		return b.finish(map[int]uint32{0: at})
	}, ErrCorrupt, "inflate"},
	{"not zlib", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		at := b.rawGrain(0, []byte("hello"))
		return b.finish(map[int]uint32{0: at})
	}, ErrCorrupt, "inflate"},
	{"grain inflates short", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		at := b.grain(0, g0[:1000])
		return b.finish(map[int]uint32{0: at})
	}, ErrCorrupt, "want 65536"},
	{"grain inflates long", func(t *testing.T) []byte {
		b := newBuilder(t, testHeader(1024))
		at := b.grain(0, append(g0, 1))
		return b.finish(map[int]uint32{0: at})
	}, ErrCorrupt, "past the grain size"},
	{"unknown marker", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		b.marker(1, 9)
		return b.end()
	}, ErrCorrupt, "type 9"},
	{"end-of-stream marker with a value", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		b.marker(5, markerEOS)
		return b.buf.Bytes()
	}, ErrCorrupt, "value 5"},
	{"end of stream before the tables", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		return b.end()
	}, ErrTruncated, "before the grain directory"},
	{"file ends after the grains", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		return b.buf.Bytes()
	}, ErrTruncated, "without its grain directory"},
	{"file ends inside a grain", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		return b.buf.Bytes()[:b.buf.Len()-1000]
	}, ErrTruncated, "compressed grain"},
	{"file ends inside a marker", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		return append(b.buf.Bytes(), 1, 2, 3)
	}, ErrTruncated, "marker"},
	{"file ends inside a grain table", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		b.table(map[int]uint32{0: s0, 2: s1})
		return b.buf.Bytes()[:b.buf.Len()-100]
	}, ErrTruncated, "grain table"},
	{"file ends before the end-of-stream marker", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		img := b.finish(map[int]uint32{0: s0, 2: s1})
		return img[:len(img)-SectorSize]
	}, ErrTruncated, "without"},
	{"table lists a grain too few", func(t *testing.T) []byte {
		b, s0, _ := twoGrains(t)
		return b.finish(map[int]uint32{0: s0})
	}, ErrCorrupt, "list 1 grains, the stream holds 2"},
	{"table lists a grain too many", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		return b.finish(map[int]uint32{0: s0, 2: s1, 3: s1})
	}, ErrCorrupt, "list 3 grains"},
	{"table entry points forward", func(t *testing.T) []byte {
		b, s0, _ := twoGrains(t)
		return b.finish(map[int]uint32{0: s0, 2: 99999})
	}, ErrCorrupt, "entry 99999"},
	{"table entry points into the header", func(t *testing.T) []byte {
		b, s0, _ := twoGrains(t)
		return b.finish(map[int]uint32{0: s0, 2: 5})
	}, ErrCorrupt, "entry 5"},
	{"table marker too short", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		b.marker(2, markerGT)
		return b.end()
	}, ErrCorrupt, "holds 2 sectors"},
	{"more tables than the capacity needs", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		return b.finish(map[int]uint32{0: s0, 2: s1}, nil)
	}, ErrCorrupt, "grain table 2"},
	{"table after the directory", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		gt := b.table(map[int]uint32{0: s0, 2: s1})
		b.directory(gt)
		b.table(nil)
		return b.end()
	}, ErrCorrupt, "follows the grain directory"},
	{"two directories", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		gt := b.table(map[int]uint32{0: s0, 2: s1})
		b.directory(gt)
		b.directory(gt)
		return b.end()
	}, ErrCorrupt, "second grain directory"},
	{"directory entry points forward", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		b.table(map[int]uint32{0: s0, 2: s1})
		b.directory(88888)
		return b.end()
	}, ErrCorrupt, "entry 88888"},
	{"directory marker too short", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		b.marker(0, markerGD)
		return b.end()
	}, ErrCorrupt, "holds 0 sectors"},
	{"footer marker of 0 sectors", func(t *testing.T) []byte {
		b, _, _ := twoGrains(t)
		b.marker(0, markerFooter)
		return b.end()
	}, ErrCorrupt, "footer marker"},
	{"footer without magic", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		gt := b.table(map[int]uint32{0: s0, 2: s1})
		b.directory(gt)
		b.marker(1, markerFooter)
		b.buf.Write(pattern(1, SectorSize))
		return b.end()
	}, ErrNotVMDK, "footer"},
	{"footer pointing elsewhere", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		gt := b.table(map[int]uint32{0: s0, 2: s1})
		b.directory(gt)
		f := b.h
		f.gdOffset = 3
		b.footer(f)
		return b.end()
	}, ErrCorrupt, "footer gdOffset is 3"},
	{"grain after the footer", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		img := b.finish(map[int]uint32{0: s0, 2: s1})
		b.buf.Truncate(len(img) - SectorSize)
		b.grain(512, g0)
		return b.end()
	}, ErrCorrupt, "follows the footer"},
	{"table after the footer", func(t *testing.T) []byte {
		b, s0, s1 := twoGrains(t)
		img := b.finish(map[int]uint32{0: s0, 2: s1})
		b.buf.Truncate(len(img) - SectorSize)
		b.table(nil)
		return b.end()
	}, ErrCorrupt, "follows the footer"},
}

// TestStreamErrors: damage anywhere after the header gives the sentinel
// that says what is wrong, and the message names it.
func TestStreamErrors(t *testing.T) {
	for _, c := range streamErrorCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeErr(c.build(t))
			wantErr(t, err, c.want)
			if !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %q does not say %q", err, c.says)
			}
		})
	}
}

// TestFooterMismatch: a footer that describes another disk is refused.
func TestFooterMismatch(t *testing.T) {
	for name, mut := range map[string]func(f *header){
		"capacity":     func(f *header) { f.capacity = 2048 },
		"grainSize":    func(f *header) { f.grainSize = 64 },
		"numGTEsPerGT": func(f *header) { f.numGTEsPerGT = 256 },
		"flags":        func(f *header) { f.flags |= flagZeroGTE },
	} {
		t.Run(name, func(t *testing.T) {
			b, s0, s1 := twoGrains(t)
			gt := b.table(map[int]uint32{0: s0, 2: s1})
			f := b.h
			f.gdOffset = uint64(b.directory(gt))
			mut(&f)
			b.footer(f)
			_, err := decodeErr(b.end())
			wantErr(t, err, ErrCorrupt)
			if !strings.Contains(err.Error(), "footer "+name) {
				t.Fatalf("error %q does not name %s", err, name)
			}
		})
	}
}

// TestStreamVariants: valid images this reader must accept though its own
// writer never makes them.
func TestStreamVariants(t *testing.T) {
	want := make([]byte, 1024*SectorSize)
	copy(want, g0)
	copy(want[2*grain:], g1)
	cases := []struct {
		name  string
		build func(t *testing.T) []byte
	}{
		{"progress marker", func(t *testing.T) []byte {
			b := newBuilder(t, testHeader(1024))
			s0 := b.grain(0, g0)
			b.marker(77, markerProgress)
			s1 := b.grain(256, g1)
			return b.finish(map[int]uint32{0: s0, 2: s1})
		}},
		{"zeroed-grain entries and a longer table", func(t *testing.T) []byte {
			b, s0, s1 := twoGrains(t)
			b.marker(5, markerGT)
			gt := make([]byte, 5*SectorSize)
			for i, e := range map[int]uint32{0: s0, 2: s1, 3: 1, 7: 1} {
				binary.LittleEndian.PutUint32(gt[4*i:], e)
			}
			b.buf.Write(gt)
			at := b.directory(b.sector() - 5)
			f := b.h
			f.gdOffset = uint64(at)
			b.footer(f)
			return b.end()
		}},
		{"no descriptor", func(t *testing.T) []byte {
			h := testHeader(1024)
			h.descriptorOffset, h.descriptorSize = 0, 0
			b := &builder{t: t, h: h}
			b.buf.Write(h.marshal())
			b.pad(h.overHead)
			s0, s1 := b.grain(0, g0), b.grain(256, g1)
			return b.finish(map[int]uint32{0: s0, 2: s1})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := decode(t, c.build(t)); !bytes.Equal(got, want) {
				t.Fatal("different bytes")
			}
		})
	}
}

// TestLastGrainForms: the last grain of a capacity that is not a multiple
// of the grain may hold the bytes up to the capacity or a whole grain.
func TestLastGrainForms(t *testing.T) {
	tail := pattern(4, 3*SectorSize)
	want := make([]byte, 1027*SectorSize)
	copy(want[1024*SectorSize:], tail)
	for name, data := range map[string][]byte{"short": tail, "whole": append(bytes.Clone(tail), make([]byte, grain-len(tail))...)} {
		t.Run(name, func(t *testing.T) {
			b := newBuilder(t, testHeader(1027))
			at := b.grain(1024, data)
			img := b.finish(map[int]uint32{8: at})
			if got := decode(t, img); !bytes.Equal(got, want) {
				t.Fatal("different bytes")
			}
		})
	}
}
