package vmdk

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

const grain = 64 << 10

// sparseCase is a raw disk: its capacity and the ranges holding data.
type sparseCase struct {
	name     string
	capacity int
	data     [][2]int // [offset, length]
	random   bool     // incompressible data
}

var sparseCases = []sparseCase{
	{name: "all zero", capacity: 1 << 20},
	{name: "all data", capacity: 1 << 20, data: [][2]int{{0, 1 << 20}}},
	{name: "all random data", capacity: 1 << 20, data: [][2]int{{0, 1 << 20}}, random: true},
	{name: "holes", capacity: 4 << 20, data: [][2]int{{0, 100}, {3 * grain, grain}, {40*grain + 7, 3}, {4<<20 - 512, 512}}},
	{name: "last partial grain", capacity: 10*grain + 3*512, data: [][2]int{{10*grain + 512, 1024}}},
	{name: "capacity below one grain", capacity: 3 * 512, data: [][2]int{{0, 3 * 512}}, random: true},
	{name: "capacity not a multiple of the grain, data across the end", capacity: 5*grain + 4096, data: [][2]int{{4*grain + 10, grain + 4086}}},
	{name: "several grain tables", capacity: 33 << 20, data: [][2]int{{32<<20 - 10, 20}, {33<<20 - grain, grain}}},
	{name: "random grains", capacity: 8 << 20, data: randomRanges(8<<20, 40), random: true},
}

// randomRanges picks n ranges of up to two grains in capacity.
func randomRanges(capacity, n int) [][2]int {
	var r [][2]int
	p := pattern(7, 2*n)
	for i := range n {
		off := int(p[2*i])<<15 | int(p[2*i+1])<<7
		r = append(r, [2]int{off % (capacity - 2*grain), 1 + off%(2*grain)})
	}
	return r
}

func (c sparseCase) raw() []byte {
	raw := make([]byte, c.capacity)
	for i, d := range c.data {
		src := pattern(uint64(i), d[1])
		if c.random {
			_, _ = rand.Read(src)
		}
		copy(raw[d[0]:], src)
	}
	return raw
}

// TestRoundTrip writes raw disks of every shape with the StreamWriter and
// reads them back with each reading path: Read, WriteTo and Next.
func TestRoundTrip(t *testing.T) {
	for _, c := range sparseCases {
		t.Run(c.name, func(t *testing.T) {
			raw := c.raw()
			chunks := []int{1 << 20, 4097, 511}
			if len(raw) > 8<<20 {
				chunks = chunks[:1] // the odd sizes on the small disks only: the race detector is slow
			}
			for _, chunk := range chunks {
				img := encode(t, raw, chunk, WriterOptions{})
				if got := decode(t, img); !bytes.Equal(got, raw) {
					t.Fatalf("chunks of %d: Read gives different bytes", chunk)
				}
			}
			img := encode(t, raw, len(raw), WriterOptions{})
			r, err := NewStreamReader(bytes.NewReader(img))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if n, err := io.Copy(&out, r); err != nil || n != int64(len(raw)) || !bytes.Equal(out.Bytes(), raw) {
				t.Fatalf("WriteTo: %d bytes, %v, equal %v", n, err, bytes.Equal(out.Bytes(), raw))
			}
			checkNext(t, img, raw)
		})
	}
}

// checkNext rebuilds the disk from Next alone and checks that no stored
// grain is all zeros (the writer leaves those out).
func checkNext(t *testing.T, img, raw []byte) {
	t.Helper()
	r, err := NewStreamReader(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, r.Capacity())
	for {
		off, data, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(data, []byte{0}) == len(data) {
			t.Fatalf("Next returned an all-zero grain at %d", off)
		}
		if off%grain != 0 || len(data) > grain {
			t.Fatalf("Next returned %d bytes at %d, not one grain", len(data), off)
		}
		copy(got[off:], data)
	}
	if !bytes.Equal(got, raw) {
		t.Fatal("Next gives different bytes")
	}
	if _, _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after the end: %v, want io.EOF", err)
	}
}

// TestMixedReads interleaves Read and Next on one cursor.
func TestMixedReads(t *testing.T) {
	c := sparseCases[3] // holes
	raw := c.raw()
	r, err := NewStreamReader(bytes.NewReader(encode(t, raw, len(raw), WriterOptions{})))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(raw))
	pos := 0
	for step := 0; ; step++ {
		if step%2 == 0 {
			n, err := r.Read(got[pos:min(pos+1000, len(got))])
			pos += n
			if errors.Is(err, io.EOF) || pos == len(got) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		off, data, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if int(off) < pos {
			t.Fatalf("Next went back to %d from %d", off, pos)
		}
		pos = int(off) + copy(got[off:], data)
	}
	if !bytes.Equal(got, raw) {
		t.Fatal("mixed reads give different bytes")
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("Read at the end: %d, %v", n, err)
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Fatalf("empty Read: %d, %v", n, err)
	}
}

// TestWriteAtGaps writes with forward jumps: the gaps read as zeros and
// whole zero grains are not stored.
func TestWriteAtGaps(t *testing.T) {
	raw := make([]byte, 40<<20)
	var img bytes.Buffer
	w, err := NewStreamWriter(&img, int64(len(raw)), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{5, 1000, grain - 2, 3*grain + 100, 33 << 20, 40<<20 - 3} {
		p := pattern(uint64(off), 3)
		copy(raw[off:], p)
		if _, err := w.WriteAt(p, int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.WriteAt(nil, 40<<20); err != nil {
		t.Fatalf("empty write at the capacity: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := decode(t, img.Bytes()); !bytes.Equal(got, raw) {
		t.Fatal("different bytes")
	}
	checkNext(t, img.Bytes(), raw)
}

// TestShortWriteIsZeros: bytes never written read as zeros.
func TestShortWriteIsZeros(t *testing.T) {
	var img bytes.Buffer
	w, err := NewStreamWriter(&img, 1<<20, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("boot")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 1<<20)
	copy(want, "boot")
	if got := decode(t, img.Bytes()); !bytes.Equal(got, want) {
		t.Fatal("different bytes")
	}
}
