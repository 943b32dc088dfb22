package vmdk

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// SectorSize is the unit of every offset and size in a sparse extent.
const SectorSize = 512

// Limits of this package. A header asking for more is refused with ErrLimit
// before anything is allocated for it.
const (
	// MaxCapacity is the largest disk handled: 64 TiB, above ESXi's 62 TB
	// virtual disk maximum.
	MaxCapacity = 64 << 40
	// MaxGrainSize is the largest grain read, in bytes (VMware and qemu
	// write 64 KiB grains).
	MaxGrainSize = 1 << 20
	// MaxDescriptorSize is the largest descriptor read, in bytes.
	MaxDescriptorSize = 1 << 20
	// maxGDEntries bounds the grain directory (8 MiB of entries).
	maxGDEntries = 1 << 21
)

// Header layout (SparseExtentHeader, little-endian, one sector).
const (
	sparseMagic = 0x564d444b // "KDMV" on disk
	gdAtEnd     = ^uint64(0) // GD_AT_END: the footer holds the real gdOffset

	flagNewlineTest = 1 << 0  // the four newline-detection bytes are valid
	flagRedundantGD = 1 << 1  // a redundant grain directory exists (rgdOffset)
	flagZeroGTE     = 1 << 2  // grain table entry 1 means "zeroed grain"
	flagCompressed  = 1 << 16 // grains are compressed
	flagMarkers     = 1 << 17 // grains and metadata carry markers

	knownFlags          = flagNewlineTest | flagRedundantGD | flagZeroGTE | flagCompressed | flagMarkers
	incompatFlags       = 0xffff0000
	compressionDeflate  = 1
	defaultGrainSectors = 128 // 64 KiB
	defaultGTEsPerGT    = 512
)

// header is a decoded SparseExtentHeader. Offsets and sizes are in sectors.
type header struct {
	version           uint32
	flags             uint32
	capacity          uint64
	grainSize         uint64
	descriptorOffset  uint64
	descriptorSize    uint64
	numGTEsPerGT      uint32
	rgdOffset         uint64
	gdOffset          uint64
	overHead          uint64
	uncleanShutdown   uint8
	newline           [4]byte // '\n', ' ', '\r', '\n' when intact
	compressAlgorithm uint16
}

var intactNewline = [4]byte{'\n', ' ', '\r', '\n'}

// parseHeader decodes a sector holding a sparse extent header.
func parseHeader(b []byte) (header, error) {
	le := binary.LittleEndian
	if m := le.Uint32(b[0:]); m != sparseMagic {
		if string(b[:4]) == "# Di" {
			return header{}, fmt.Errorf("this is a descriptor file, not a sparse extent: %w", ErrNotVMDK)
		}
		return header{}, fmt.Errorf("magic is %#08x, want %#08x (\"KDMV\"): %w", m, sparseMagic, ErrNotVMDK)
	}
	h := header{
		version:           le.Uint32(b[4:]),
		flags:             le.Uint32(b[8:]),
		capacity:          le.Uint64(b[12:]),
		grainSize:         le.Uint64(b[20:]),
		descriptorOffset:  le.Uint64(b[28:]),
		descriptorSize:    le.Uint64(b[36:]),
		numGTEsPerGT:      le.Uint32(b[44:]),
		rgdOffset:         le.Uint64(b[48:]),
		gdOffset:          le.Uint64(b[56:]),
		overHead:          le.Uint64(b[64:]),
		uncleanShutdown:   b[72],
		compressAlgorithm: le.Uint16(b[77:]),
	}
	copy(h.newline[:], b[73:77])
	return h, nil
}

// marshal encodes the header into one sector.
func (h header) marshal() []byte {
	b := make([]byte, SectorSize)
	le := binary.LittleEndian
	le.PutUint32(b[0:], sparseMagic)
	le.PutUint32(b[4:], h.version)
	le.PutUint32(b[8:], h.flags)
	le.PutUint64(b[12:], h.capacity)
	le.PutUint64(b[20:], h.grainSize)
	le.PutUint64(b[28:], h.descriptorOffset)
	le.PutUint64(b[36:], h.descriptorSize)
	le.PutUint32(b[44:], h.numGTEsPerGT)
	le.PutUint64(b[48:], h.rgdOffset)
	le.PutUint64(b[56:], h.gdOffset)
	le.PutUint64(b[64:], h.overHead)
	b[72] = h.uncleanShutdown
	copy(b[73:77], h.newline[:])
	le.PutUint16(b[77:], h.compressAlgorithm)
	return b
}

// validate checks the fields a stream reader relies on.
func (h header) validate() error {
	switch {
	case h.version < 1 || h.version > 3:
		return fmt.Errorf("header field version is %d, want 1 to 3: %w", h.version, ErrUnsupported)
	case h.flags&incompatFlags&^(flagCompressed|flagMarkers) != 0:
		return fmt.Errorf("header field flags %#x has unknown incompatible bits: %w", h.flags, ErrUnsupported)
	case h.flags&flagCompressed == 0 || h.flags&flagMarkers == 0:
		return fmt.Errorf("header field flags is %#x: grains are not compressed with markers, so the image is not streamOptimized: %w", h.flags, ErrUnsupported)
	case h.compressAlgorithm != compressionDeflate:
		return fmt.Errorf("header field compressAlgorithm is %d, want 1 (deflate): %w", h.compressAlgorithm, ErrUnsupported)
	case h.flags&flagNewlineTest != 0 && h.newline != intactNewline:
		return fmt.Errorf("header newline-detection bytes are %q, want %q (was the file transferred as text?): %w", h.newline[:], intactNewline[:], ErrCorrupt)
	}
	if err := h.validateGeometry(); err != nil {
		return err
	}
	return h.validateLayout()
}

// validateGeometry checks capacity, grain size and table sizes.
func (h header) validateGeometry() error {
	switch {
	case h.capacity == 0:
		return fmt.Errorf("header field capacity is 0: %w", ErrCorrupt)
	case h.capacity > MaxCapacity/SectorSize:
		return fmt.Errorf("header field capacity is %d sectors, more than %d: %w", h.capacity, uint64(MaxCapacity/SectorSize), ErrLimit)
	case h.grainSize == 0 || bits.OnesCount64(h.grainSize) != 1:
		return fmt.Errorf("header field grainSize is %d, want a power of two: %w", h.grainSize, ErrCorrupt)
	case h.grainSize > MaxGrainSize/SectorSize:
		return fmt.Errorf("header field grainSize is %d sectors, more than %d: %w", h.grainSize, MaxGrainSize/SectorSize, ErrLimit)
	case h.numGTEsPerGT < 128 || h.numGTEsPerGT > 4096 || bits.OnesCount32(h.numGTEsPerGT) != 1:
		return fmt.Errorf("header field numGTEsPerGT is %d, want a power of two from 128 to 4096: %w", h.numGTEsPerGT, ErrCorrupt)
	case h.numGTs() > maxGDEntries:
		return fmt.Errorf("grain directory would hold %d entries, more than %d: %w", h.numGTs(), maxGDEntries, ErrLimit)
	}
	return nil
}

// validateLayout checks where the descriptor and the tables lie.
func (h header) validateLayout() error {
	switch {
	case h.overHead == 0 || h.overHead > uint64(1)<<32:
		return fmt.Errorf("header field overHead is %d sectors, want 1 to 2^32: %w", h.overHead, ErrCorrupt)
	case h.descriptorSize > MaxDescriptorSize/SectorSize:
		return fmt.Errorf("header field descriptorSize is %d sectors, more than %d: %w", h.descriptorSize, MaxDescriptorSize/SectorSize, ErrLimit)
	case h.descriptorSize > 0 && (h.descriptorOffset == 0 || h.descriptorOffset > h.overHead || h.overHead-h.descriptorOffset < h.descriptorSize):
		return fmt.Errorf("header fields descriptorOffset %d and descriptorSize %d do not lie between the header and overHead %d: %w",
			h.descriptorOffset, h.descriptorSize, h.overHead, ErrCorrupt)
	case h.gdOffset == gdAtEnd:
		return nil
	case h.gdOffset == 0:
		return fmt.Errorf("header field gdOffset is 0: %w", ErrCorrupt)
	case h.gdOffset >= h.overHead || h.overHead-h.gdOffset < h.gdSectors():
		return fmt.Errorf("header field gdOffset is %d, past overHead %d: the grain directory follows the grains, which a stream cannot reach: %w",
			h.gdOffset, h.overHead, ErrUnsupported)
	}
	return nil
}

// sameDisk reports how a footer differs from the header it repeats.
func (h header) sameDisk(f header) error {
	switch {
	case f.capacity != h.capacity:
		return fmt.Errorf("footer capacity %d differs from the header's %d: %w", f.capacity, h.capacity, ErrCorrupt)
	case f.grainSize != h.grainSize:
		return fmt.Errorf("footer grainSize %d differs from the header's %d: %w", f.grainSize, h.grainSize, ErrCorrupt)
	case f.numGTEsPerGT != h.numGTEsPerGT:
		return fmt.Errorf("footer numGTEsPerGT %d differs from the header's %d: %w", f.numGTEsPerGT, h.numGTEsPerGT, ErrCorrupt)
	case f.flags != h.flags || f.compressAlgorithm != h.compressAlgorithm:
		return fmt.Errorf("footer flags %#x and compression %d differ from the header's %#x and %d: %w",
			f.flags, f.compressAlgorithm, h.flags, h.compressAlgorithm, ErrCorrupt)
	}
	return nil
}

// grainBytes is the size of a grain in bytes.
func (h header) grainBytes() int { return int(h.grainSize) * SectorSize }

// numGrains is the number of grains covering the capacity.
func (h header) numGrains() uint64 { return ceilDiv(h.capacity, h.grainSize) }

// numGTs is the number of grain tables (entries of the grain directory).
func (h header) numGTs() uint64 { return ceilDiv(h.numGrains(), uint64(h.numGTEsPerGT)) }

// gdSectors is the size of the grain directory in sectors.
func (h header) gdSectors() uint64 { return ceilDiv(h.numGTs()*4, SectorSize) }

// gtSectors is the size of one grain table in sectors.
func (h header) gtSectors() uint64 { return uint64(h.numGTEsPerGT) * 4 / SectorSize }

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }
