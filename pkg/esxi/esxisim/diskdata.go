package esxisim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
)

// Layout of the recognisable disk content (see DiskContent).
const (
	diskHeaderSize = 4096
	diskRegionSize = 1 << 20
)

// DiskContent returns the deterministic bytes the simulator writes into a
// disk labelled label (the template's label is TemplateName), size bytes long:
//
//   - a 4 KiB header: text lines naming the label, the size and the layout,
//     padded with zero bytes;
//   - then 1 MiB regions, alternately pseudo-random (ChaCha8 seeded from the
//     label and the region number: incompressible) and a repeated text line
//     naming the label and the region (compresses to almost nothing); the
//     last region is cut at size.
//
// The same label and size always give the same bytes, so a test can check a
// copy, a backup or a restore byte for byte. The reader also implements
// io.ReaderAt and io.WriterTo.
func DiskContent(label string, size int64) io.Reader {
	return &diskPattern{label: label, size: max(size, 0), cached: -1}
}

type diskPattern struct {
	label  string
	size   int64
	off    int64
	cached int64 // region index held in buf, -1 for none
	buf    []byte
}

func (p *diskPattern) header() []byte {
	h := make([]byte, diskHeaderSize)
	text := fmt.Sprintf("CESO ESXISIM DISK v1\nlabel: %s\nsize: %d\nregion: %d\n"+
		"layout: this 4096-byte header, then %d-byte regions alternating pseudo-random (even) and compressible text (odd)\n",
		p.label, p.size, diskRegionSize, diskRegionSize)
	copy(h, text)
	return h
}

// region fills p.buf with region i (full length) and returns it.
func (p *diskPattern) region(i int64) []byte {
	if p.cached == i {
		return p.buf
	}
	if p.buf == nil {
		p.buf = make([]byte, diskRegionSize)
	}
	if i%2 == 0 {
		var seed [32]byte
		sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", p.label, i))
		copy(seed[:], sum[:])
		rng := rand.NewChaCha8(seed)
		_, _ = rng.Read(p.buf)
	} else {
		line := fmt.Appendf(nil, "%s compressible region %08d ", p.label, i)
		line = append(line, '\n')
		for n := 0; n < len(p.buf); n += len(line) {
			copy(p.buf[n:], line)
		}
		binary.BigEndian.PutUint64(p.buf[len(p.buf)-8:], uint64(i))
	}
	p.cached = i
	return p.buf
}

// ReadAt reads the content at off.
func (p *diskPattern) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	n := 0
	for n < len(b) && off < p.size {
		var src []byte
		var base int64
		if off < diskHeaderSize {
			src, base = p.header(), 0
		} else {
			i := (off - diskHeaderSize) / diskRegionSize
			src, base = p.region(i), diskHeaderSize+i*diskRegionSize
		}
		end := min(int64(len(src)), p.size-base)
		c := copy(b[n:], src[off-base:end])
		n += c
		off += int64(c)
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (p *diskPattern) Read(b []byte) (int, error) {
	if p.off >= p.size {
		return 0, io.EOF
	}
	n, err := p.ReadAt(b, p.off)
	p.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// WriteTo writes the rest of the content in region-sized writes.
func (p *diskPattern) WriteTo(w io.Writer) (int64, error) {
	var total int64
	buf := make([]byte, diskRegionSize)
	for p.off < p.size {
		n, err := p.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
