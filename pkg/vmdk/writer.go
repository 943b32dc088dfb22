package vmdk

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"maps"

	"github.com/klauspost/compress/zlib"
)

// WriterOptions tune the image a StreamWriter writes. The zero value writes
// what VMware's export writes: 64 KiB grains, an lsilogic adapter and a
// random CID.
type WriterOptions struct {
	// FileName is the extent's file name in the embedded descriptor;
	// empty means "disk.vmdk".
	FileName string
	// AdapterType and HWVersion go to ddb.adapterType and
	// ddb.virtualHWVersion (see DiskInfo).
	AdapterType string
	HWVersion   string
	// CID is the content ID; 0 draws a random one.
	CID uint32
	// DDB adds disk database entries (ddb.uuid, ddb.longContentID, ...).
	DDB map[string]string
	// Level is the zlib level, -1 (zlib's default) to 9; 0 means 1, the
	// fastest.
	Level int
}

// StreamWriter writes a streamOptimized image to an io.Writer without
// seeking: header and descriptor first, then each grain that is not all
// zeros as a compressed grain with its marker, each grain table after its
// grains, and on Close the grain directory, the footer (the header again
// with the real gdOffset) and the end-of-stream marker. The header says
// GD_AT_END, as an ESXi export does.
//
// Data is given in order: Write appends at the cursor, WriteAt may jump
// forward (the gap reads as zeros) but never back. Bytes never written are
// zeros. Not safe for concurrent use.
type StreamWriter struct {
	w          io.Writer
	off        int64 // bytes of the image written
	hdr        header
	capacity   int64
	grainBytes int

	pos   int64  // cursor in the raw disk
	buf   []byte // the grain under the cursor; zeros where not written
	cur   int64  // its index
	dirty bool

	gt    []uint32 // entries of grain table gtIdx
	gtIdx uint64
	gd    []uint32

	zw   *zlib.Writer
	out  bytes.Buffer
	zero []byte
	err  error // sticky: a failed write or Close
}

// NewStreamWriter writes the header and descriptor of an image of capacity
// bytes (a multiple of SectorSize, at most MaxCapacity) to w.
func NewStreamWriter(w io.Writer, capacity int64, opts WriterOptions) (*StreamWriter, error) {
	if capacity <= 0 || capacity%SectorSize != 0 || capacity > MaxCapacity {
		return nil, fmt.Errorf("capacity %d is not a multiple of %d from %d to %d: %w", capacity, SectorSize, SectorSize, int64(MaxCapacity), ErrCapacity)
	}
	level := opts.Level
	if level == 0 {
		level = zlib.BestSpeed
	}
	desc, err := streamDescriptor(capacity, opts)
	if err != nil {
		return nil, err
	}
	text := desc.String()
	descSectors := ceilDiv(uint64(len(text)), SectorSize)
	h := header{
		version: 3, flags: flagNewlineTest | flagCompressed | flagMarkers,
		capacity: uint64(capacity) / SectorSize, grainSize: defaultGrainSectors,
		descriptorOffset: 1, descriptorSize: descSectors,
		numGTEsPerGT: defaultGTEsPerGT, gdOffset: gdAtEnd,
		overHead: ceilDiv(1+descSectors, defaultGrainSectors) * defaultGrainSectors,
		newline:  intactNewline, compressAlgorithm: compressionDeflate,
	}
	s := &StreamWriter{
		w: w, hdr: h, capacity: capacity, grainBytes: h.grainBytes(),
		buf: make([]byte, h.grainBytes()), zero: make([]byte, h.grainBytes()),
		gt: make([]uint32, h.numGTEsPerGT), gd: make([]uint32, h.numGTs()),
	}
	if s.zw, err = zlib.NewWriterLevel(&s.out, level); err != nil {
		return nil, fmt.Errorf("zlib level %d: %w", opts.Level, err)
	}
	front := make([]byte, h.overHead*SectorSize)
	copy(front, h.marshal())
	copy(front[SectorSize:], text)
	if err := s.write(front); err != nil {
		return nil, err
	}
	return s, nil
}

// streamDescriptor builds the embedded descriptor.
func streamDescriptor(capacity int64, opts WriterOptions) (Descriptor, error) {
	name, cid := opts.FileName, opts.CID
	if name == "" {
		name = "disk.vmdk"
	}
	for cid == 0 || cid >= 0xfffffffe { // ffffffff and fffffffe mean "no parent" and "new" to VMware
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return Descriptor{}, fmt.Errorf("drawing a CID: %w", err)
		}
		cid = binary.LittleEndian.Uint32(b[:])
	}
	d := StreamOptimizedDescriptor(name, DiskInfo{Capacity: capacity, AdapterType: opts.AdapterType, HWVersion: opts.HWVersion, CID: cid})
	maps.Copy(d.DDB, opts.DDB)
	if err := d.Validate(); err != nil {
		return Descriptor{}, err
	}
	if len(d.String()) > MaxDescriptorSize {
		return Descriptor{}, fmt.Errorf("descriptor is %d bytes, more than %d: %w", len(d.String()), MaxDescriptorSize, ErrLimit)
	}
	return d, nil
}

// Write appends p at the cursor.
func (s *StreamWriter) Write(p []byte) (int, error) { return s.WriteAt(p, s.pos) }

// WriteAt writes p at off, which must not be before the cursor; the bytes
// between the cursor and off stay zeros.
func (s *StreamWriter) WriteAt(p []byte, off int64) (int, error) {
	switch {
	case s.err != nil:
		return 0, s.err
	case off < s.pos:
		return 0, fmt.Errorf("write at %d after data up to %d: %w", off, s.pos, ErrNotSequential)
	case off > s.capacity-int64(len(p)):
		return 0, fmt.Errorf("write of %d bytes at %d passes the capacity %d: %w", len(p), off, s.capacity, ErrCapacity)
	}
	s.pos = off
	n := 0
	for len(p) > 0 {
		g := s.pos / int64(s.grainBytes)
		in, glen := int(s.pos-g*int64(s.grainBytes)), s.grainLen(g)
		if g != s.cur {
			if err := s.flush(); err != nil {
				return n, err
			}
			s.cur = g
		}
		var k int
		if in == 0 && len(p) >= glen { // a whole grain, nothing of it buffered: no copy
			if err := s.emit(g, p[:glen]); err != nil {
				return n, err
			}
			k = glen
		} else {
			k = copy(s.buf[in:glen], p)
			s.dirty = true
		}
		p, s.pos, n = p[k:], s.pos+int64(k), n+k
		if in+k == glen && s.dirty {
			if err := s.flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// grainLen is the length of grain g: the last one stops at the capacity.
func (s *StreamWriter) grainLen(g int64) int {
	return int(min(int64(s.grainBytes), s.capacity-g*int64(s.grainBytes)))
}

// flush emits the grain under the cursor if anything was written to it.
func (s *StreamWriter) flush() error {
	if !s.dirty {
		return nil
	}
	err := s.emit(s.cur, s.buf[:s.grainLen(s.cur)])
	clear(s.buf)
	s.dirty = false
	return err
}
