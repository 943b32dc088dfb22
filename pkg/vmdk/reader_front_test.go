package vmdk

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// frontLayout is an image laid out as qemu writes it: the grain directory
// at sector gd and the grain table at sector gt, both before overHead, and
// neither table markers nor a footer.
type frontLayout struct {
	gd, gt  uint32
	desc    uint64 // descriptor sectors
	entries func(s0, s1 uint32) map[int]uint32
	gdEntry uint32 // 0: gt
	after   func(b *builder)
}

func (l frontLayout) build(t *testing.T) []byte {
	t.Helper()
	h := testHeader(1024)
	h.flags |= flagRedundantGD
	h.gdOffset = uint64(l.gd)
	h.descriptorSize = max(l.desc, 1)
	b := newBuilder(t, h)
	s0, s1 := b.grain(0, g0), b.grain(256, g1)
	if l.after != nil {
		l.after(b)
	}
	img := bytes.Clone(b.buf.Bytes())
	entry := l.gdEntry
	if entry == 0 {
		entry = l.gt
	}
	binary.LittleEndian.PutUint32(img[l.gd*SectorSize:], entry)
	entries := map[int]uint32{0: s0, 2: s1}
	if l.entries != nil {
		entries = l.entries(s0, s1)
	}
	for i, e := range entries {
		binary.LittleEndian.PutUint32(img[int(l.gt)*SectorSize+4*i:], e)
	}
	return img
}

// TestFrontLayout reads images with their tables at the front, and refuses
// the ones whose tables a single pass cannot check.
func TestFrontLayout(t *testing.T) {
	want := make([]byte, 1024*SectorSize)
	copy(want, g0)
	copy(want[2*grain:], g1)
	ok := []struct {
		name string
		l    frontLayout
	}{
		{"no end-of-stream marker", frontLayout{gd: 26, gt: 27}},
		{"end-of-stream marker", frontLayout{gd: 26, gt: 27, after: func(b *builder) { b.marker(0, markerEOS) }}},
		{"table after the directory", frontLayout{gd: 10, gt: 100}},
		{"table markers and footer skipped", frontLayout{gd: 26, gt: 27, after: func(b *builder) {
			b.table(nil)
			b.directory(5)
			b.footer(b.h)
			b.marker(0, markerEOS)
		}}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			img := c.l.build(t)
			if got := decode(t, img); !bytes.Equal(got, want) {
				t.Fatal("different bytes")
			}
			checkNext(t, img, want)
		})
	}
	bad := []struct {
		name string
		l    frontLayout
		want error
		says string
	}{
		{"table misses a grain", frontLayout{gd: 26, gt: 27, entries: func(s0, _ uint32) map[int]uint32 { return map[int]uint32{0: s0} }}, ErrCorrupt, "list 1 grains, the stream holds 2"},
		{"image cut after a grain", frontLayout{gd: 26, gt: 27, entries: func(s0, s1 uint32) map[int]uint32 {
			return map[int]uint32{0: s0, 2: s1, 4: s1 + 200}
		}}, ErrCorrupt, "list 3 grains"},
		{"table entry in the header region", frontLayout{gd: 26, gt: 27, entries: func(s0, _ uint32) map[int]uint32 { return map[int]uint32{0: s0, 2: 50} }}, ErrCorrupt, "entry 50"},
		{"table past overHead", frontLayout{gd: 26, gt: 27, gdEntry: 300}, ErrUnsupported, "entry 300"},
		{"table across overHead", frontLayout{gd: 26, gt: 27, gdEntry: 126}, ErrUnsupported, "entry 126"},
		{"table before the directory", frontLayout{gd: 30, gt: 20}, ErrUnsupported, "grain table at sector 20"},
		{"descriptor over the directory", frontLayout{gd: 2, gt: 27, desc: 3}, ErrUnsupported, "grain directory at sector 2"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeErr(c.l.build(t))
			wantErr(t, err, c.want)
			if !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %q does not say %q", err, c.says)
			}
		})
	}
}

// TestFrontLayoutTruncated: a front-layout image cut inside its tables or
// inside a marker is truncated, not short.
func TestFrontLayoutTruncated(t *testing.T) {
	img := frontLayout{gd: 26, gt: 27}.build(t)
	for _, n := range []int{26*SectorSize + 10, 28 * SectorSize, len(img) + 3} {
		in := img[:min(n, len(img))]
		if n > len(img) {
			in = append(bytes.Clone(img), 1, 2, 3)
		}
		_, err := decodeErr(in)
		wantErr(t, err, ErrTruncated)
	}
}
