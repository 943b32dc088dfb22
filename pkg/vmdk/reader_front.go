package vmdk

import (
	"fmt"
	"math"
	"slices"
)

// region is a structure between the header and the first grain.
type region int

const (
	regionNone region = iota
	regionDescriptor
	regionDirectory
	regionTable
)

func (r region) String() string {
	return [...]string{"nothing", "descriptor", "grain directory", "grain table"}[r]
}

// front tracks the structures of the header region still to be read.
type front struct {
	desc, gd bool
	gts      []uint32 // sectors of the grain tables, ascending
}

// next is the structure that comes first in the file.
func (f *front) next(h header) (region, uint64) {
	kind, start := regionNone, uint64(math.MaxUint64)
	if f.desc && h.descriptorOffset < start {
		kind, start = regionDescriptor, h.descriptorOffset
	}
	if f.gd && h.gdOffset < start {
		kind, start = regionDirectory, h.gdOffset
	}
	if len(f.gts) > 0 && uint64(f.gts[0]) < start {
		kind, start = regionTable, uint64(f.gts[0])
	}
	return kind, start
}

// readFront reads what lies between the header and the first grain
// (overHead): the descriptor and, when gdOffset is not GD_AT_END, the
// grain directory and the grain tables it points to, in file order.
func (s *StreamReader) readFront() error {
	h := s.hdr
	f := front{desc: h.descriptorSize > 0, gd: !s.atEnd}
	for {
		kind, start := f.next(h)
		if kind == regionNone {
			break
		}
		cur := s.src.sector()
		if start < cur {
			return fmt.Errorf("the %s at sector %d lies before sector %d, where a single pass already is: %w", kind, start, cur, ErrUnsupported)
		}
		if err := s.src.skip((start-cur)*SectorSize, "header region"); err != nil {
			return err
		}
		if err := s.readRegion(&f, kind); err != nil {
			return err
		}
	}
	return s.src.skip((h.overHead-s.src.sector())*SectorSize, "header region")
}

func (s *StreamReader) readRegion(f *front, kind region) error {
	h := s.hdr
	switch kind {
	case regionDescriptor:
		f.desc = false
		buf := make([]byte, h.descriptorSize*SectorSize)
		if err := s.src.read(buf, "descriptor"); err != nil {
			return err
		}
		d, err := ParseDescriptor(buf)
		if err != nil {
			return fmt.Errorf("embedded descriptor: %w", err)
		}
		s.desc = d
		return nil
	case regionDirectory:
		f.gd = false
		return s.readFrontDirectory(f)
	}
	at := f.gts[0]
	f.gts = f.gts[1:]
	n, err := s.countTable(func(e uint64) error {
		if e < h.overHead {
			return fmt.Errorf("grain table at sector %d has entry %d, inside the header region (overHead %d): %w", at, e, h.overHead, ErrCorrupt)
		}
		return nil
	})
	s.listed += n
	return err
}

// readFrontDirectory reads a grain directory at the front and queues the
// grain tables it points to, which must lie before overHead too.
func (s *StreamReader) readFrontDirectory(f *front) error {
	h := s.hdr
	left := h.numGTs()
	for range h.gdSectors() {
		if err := s.src.read(s.sector, "grain directory"); err != nil {
			return err
		}
		for i := 0; i < SectorSize && left > 0; i, left = i+4, left-1 {
			e := le32(s.sector[i:])
			if e == 0 {
				continue
			}
			if uint64(e) >= h.overHead || h.overHead-uint64(e) < h.gtSectors() {
				return fmt.Errorf("grain directory entry %d points past overHead %d: a table after the grains cannot be read in one pass: %w", e, h.overHead, ErrUnsupported)
			}
			f.gts = append(f.gts, e)
		}
	}
	slices.Sort(f.gts)
	return nil
}
