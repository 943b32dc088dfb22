package vmdk

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// builder assembles images sector by sector, so that tests can write
// exactly the structure (or the damage) they need. It compresses with the
// standard library's zlib, not the package's.
type builder struct {
	t   testing.TB
	h   header
	buf bytes.Buffer
}

// testHeader is a streamOptimized header for capacity sectors with the
// grain directory at the end.
func testHeader(capacity uint64) header {
	return header{
		version: 3, flags: flagNewlineTest | flagCompressed | flagMarkers,
		capacity: capacity, grainSize: 128, descriptorOffset: 1, descriptorSize: 1,
		numGTEsPerGT: 512, gdOffset: gdAtEnd, overHead: 128,
		newline: intactNewline, compressAlgorithm: compressionDeflate,
	}
}

const testDescriptor = "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"streamOptimized\"\n"

// newBuilder writes h, a descriptor at h.descriptorOffset and pads to
// h.overHead.
func newBuilder(t testing.TB, h header) *builder {
	t.Helper()
	return newBuilderText(t, h, testDescriptor)
}

// newBuilderText is newBuilder with the given descriptor text.
func newBuilderText(t testing.TB, h header, text string) *builder {
	t.Helper()
	b := &builder{t: t, h: h}
	b.buf.Write(h.marshal())
	b.pad(h.descriptorOffset)
	b.buf.WriteString(text)
	b.pad(h.overHead)
	return b
}

// pad writes zeros up to sector.
func (b *builder) pad(sector uint64) {
	for uint64(b.buf.Len()) < sector*SectorSize {
		b.buf.WriteByte(0)
	}
}

// sector is the next sector to be written.
func (b *builder) sector() uint32 { return uint32(b.buf.Len() / SectorSize) }

func (b *builder) align() { b.pad(uint64((b.buf.Len() + SectorSize - 1) / SectorSize)) }

// grain writes data compressed as the grain at lba and returns its sector.
func (b *builder) grain(lba uint64, data []byte) uint32 {
	return b.rawGrain(lba, zlibBytes(b.t, data))
}

// rawGrain writes a grain marker with payload as the compressed bytes.
func (b *builder) rawGrain(lba uint64, payload []byte) uint32 {
	return b.sizedGrain(lba, uint32(len(payload)), payload)
}

// sizedGrain writes a grain marker whose size field says size.
func (b *builder) sizedGrain(lba uint64, size uint32, payload []byte) uint32 {
	at := b.sector()
	var m [12]byte
	binary.LittleEndian.PutUint64(m[:], lba)
	binary.LittleEndian.PutUint32(m[8:], size)
	b.buf.Write(m[:])
	b.buf.Write(payload)
	b.align()
	return at
}

// marker writes a metadata marker and returns the sector after it.
func (b *builder) marker(val uint64, typ uint32) uint32 {
	m := make([]byte, SectorSize)
	putMarker(m, val, typ)
	b.buf.Write(m)
	return b.sector()
}

// table writes a grain table (512 entries) with its marker and returns
// the sector of the table.
func (b *builder) table(entries map[int]uint32) uint32 {
	at := b.marker(b.h.gtSectors(), markerGT)
	t := make([]byte, b.h.gtSectors()*SectorSize)
	for i, e := range entries {
		binary.LittleEndian.PutUint32(t[4*i:], e)
	}
	b.buf.Write(t)
	return at
}

// directory writes the grain directory with its marker and returns its
// sector.
func (b *builder) directory(entries ...uint32) uint32 {
	at := b.marker(b.h.gdSectors(), markerGD)
	d := make([]byte, b.h.gdSectors()*SectorSize)
	for i, e := range entries {
		binary.LittleEndian.PutUint32(d[4*i:], e)
	}
	b.buf.Write(d)
	return at
}

// footer writes a footer marker and f.
func (b *builder) footer(f header) {
	b.marker(1, markerFooter)
	b.buf.Write(f.marshal())
}

// end writes the end-of-stream marker and returns the image.
func (b *builder) end() []byte {
	b.marker(0, markerEOS)
	return b.buf.Bytes()
}

// finish writes one grain table per grain range with the given entries, the
// directory, a matching footer and the end-of-stream marker.
func (b *builder) finish(tables ...map[int]uint32) []byte {
	var gd []uint32
	for _, t := range tables {
		gd = append(gd, b.table(t))
	}
	at := b.directory(gd...)
	f := b.h
	f.gdOffset = uint64(at)
	b.footer(f)
	return b.end()
}

// zlibBytes compresses data with the standard library.
func zlibBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	z := zlib.NewWriter(&out)
	if _, err := z.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// pattern fills n bytes with a deterministic mix of text-like and random
// bytes.
func pattern(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		if i%64 < 48 {
			b[i] = "ceso writes streamOptimized disks "[i%34]
		} else {
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

// encode writes raw through a StreamWriter in chunks of chunk bytes.
func encode(t *testing.T, raw []byte, chunk int, opts WriterOptions) []byte {
	t.Helper()
	var img bytes.Buffer
	w, err := NewStreamWriter(&img, int64(len(raw)), opts)
	if err != nil {
		t.Fatal(err)
	}
	for p := raw; len(p) > 0; {
		n := min(chunk, len(p))
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return img.Bytes()
}

// decodeErr reads img to the end with Read.
func decodeErr(img []byte) ([]byte, error) {
	r, err := NewStreamReader(bytes.NewReader(img))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(struct{ io.Reader }{r})
}

// decode reads img to the end with Read and fails the test on an error.
func decode(t *testing.T, img []byte) []byte {
	t.Helper()
	got, err := decodeErr(img)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// wantErr fails unless err wraps want.
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want one wrapping %v", err, want)
	}
}
