package vmdk

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// StreamReader reads a streamOptimized image front to back, as it comes
// over HTTP from an export lease: it never seeks. It is a Reader of the raw
// disk (zeros where no grain is stored) and, through Next, an iterator over
// the stored grains so that callers can skip holes.
//
// Read, WriteTo and Next share one cursor in the raw disk and may be mixed.
// The first error is sticky. Reading stops at the end-of-stream marker:
// bytes after it are not consumed.
type StreamReader struct {
	src        source
	hdr        header
	desc       Descriptor
	capacity   int64
	grainBytes int
	atEnd      bool // GD_AT_END: tables come after the grains, with markers

	pos    int64  // cursor in the raw disk
	grain  []byte // the grain loaded ahead of the cursor
	gOff   int64  // its offset in the raw disk
	gLen   int    // its length (shorter for the last grain)
	loaded bool
	done   bool // end of stream reached: zeros to the capacity
	err    error

	lastLBA  int64
	grains   uint64 // grain markers read
	listed   uint64 // allocated entries in the grain tables read
	tables   uint64 // grain tables read after their grains (GD_AT_END)
	gdSector uint64 // sector of the grain directory (GD_AT_END), 0 before it
	footer   bool

	sector []byte // one sector: markers and tables
	cbuf   []byte // a compressed grain
	inf    inflater
	zeros  []byte
}

// NewStreamReader reads the sparse extent header and the embedded
// descriptor of a streamOptimized image (and, when the grain directory is
// at the front as qemu and open-vmdk write it, the grain tables), leaving r
// at the first grain. r is buffered internally.
func NewStreamReader(r io.Reader) (*StreamReader, error) {
	s := &StreamReader{src: source{r: bufio.NewReaderSize(r, 256<<10)}, lastLBA: -1, sector: make([]byte, SectorSize)}
	n, err := io.ReadFull(s.src.r, s.sector)
	s.src.off = int64(n)
	if n < 4 {
		return nil, s.src.fail(err, "sparse extent header")
	}
	h, herr := parseHeader(s.sector)
	if herr != nil {
		return nil, herr
	}
	if err != nil {
		return nil, s.src.fail(err, "sparse extent header")
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	s.hdr, s.atEnd = h, h.gdOffset == gdAtEnd
	s.capacity = int64(h.capacity) * SectorSize
	s.grainBytes = h.grainBytes()
	if err := s.readFront(); err != nil {
		return nil, err
	}
	s.grain = make([]byte, s.grainBytes)
	s.cbuf = make([]byte, maxCompressed(s.grainBytes)+SectorSize) // room for the padding of the last sector
	return s, nil
}

// maxCompressed bounds a grain marker's payload: zlib never grows data by
// more than a few bytes per 16 KiB block, and qemu refuses more than twice
// the grain.
func maxCompressed(grainBytes int) int { return 2*grainBytes + SectorSize }

// Capacity is the disk's size in bytes.
func (s *StreamReader) Capacity() int64 { return s.capacity }

// GrainSize is the grain size in bytes: Next returns at most this much.
func (s *StreamReader) GrainSize() int { return s.grainBytes }

// Descriptor is the embedded descriptor (the zero Descriptor if the image
// has none).
func (s *StreamReader) Descriptor() Descriptor { return s.desc }

// Next returns the next stored data at or after the cursor: its offset in
// the raw disk and its bytes (at most one grain, valid until the next call),
// and moves the cursor past it. The holes between are zeros. At the end of
// the stream it returns io.EOF, after checking the footer and that the grain
// tables list exactly the grains read. A stored grain may hold zeros.
func (s *StreamReader) Next() (int64, []byte, error) {
	if err := s.fill(); err != nil {
		return 0, nil, err
	}
	if s.done {
		s.pos = s.capacity
		return 0, nil, io.EOF
	}
	off := max(s.pos, s.gOff)
	data := s.grain[off-s.gOff : s.gLen]
	s.pos, s.loaded = s.gOff+int64(s.gLen), false
	return off, data, nil
}

// Read reads the raw disk at the cursor.
func (s *StreamReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, s.err
	}
	if err := s.fill(); err != nil {
		return 0, err
	}
	end := s.capacity
	if !s.done {
		end = s.gOff
	}
	if s.pos >= end && s.done {
		return 0, io.EOF
	}
	if s.pos < end { // a hole
		n := int(min(int64(len(p)), end-s.pos))
		clear(p[:n])
		s.pos += int64(n)
		return n, nil
	}
	n := copy(p, s.grain[s.pos-s.gOff:s.gLen])
	s.pos += int64(n)
	if s.pos == s.gOff+int64(s.gLen) {
		s.loaded = false
	}
	return n, nil
}

// WriteTo writes the raw disk from the cursor to the capacity to w.
func (s *StreamReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		from := s.pos
		off, data, err := s.Next()
		if errors.Is(err, io.EOF) {
			off = s.capacity
		} else if err != nil {
			return total, err
		}
		n, werr := s.writeZeros(w, off-from)
		total += n
		if werr != nil {
			return total, werr
		}
		if err != nil {
			return total, nil
		}
		m, werr := w.Write(data)
		total += int64(m)
		if werr != nil {
			return total, werr
		}
	}
}

func (s *StreamReader) writeZeros(w io.Writer, n int64) (int64, error) {
	if s.zeros == nil && n > 0 {
		s.zeros = make([]byte, 256<<10)
	}
	var total int64
	for n > 0 {
		m, err := w.Write(s.zeros[:min(n, int64(len(s.zeros)))])
		total += int64(m)
		n -= int64(m)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// fill loads the next grain unless one is loaded or the stream ended.
func (s *StreamReader) fill() error {
	if s.err != nil {
		return s.err
	}
	if s.loaded || s.done {
		return nil
	}
	if err := s.advance(); err != nil {
		s.err = err
		return err
	}
	return nil
}

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// errAt prefixes a stream error with the byte offset of the sector at fault.
func errAt(sector uint64, format string, args ...any) error {
	return fmt.Errorf("at byte %d: "+format, append([]any{sector * SectorSize}, args...)...)
}
