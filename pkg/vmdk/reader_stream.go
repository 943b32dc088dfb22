package vmdk

import (
	"errors"
	"io"
)

// Marker types (the type field of a metadata marker, whose size is 0).
const (
	markerEOS      = 0 // end of stream: an all-zero sector
	markerGT       = 1 // a grain table follows
	markerGD       = 2 // the grain directory follows
	markerFooter   = 3 // a copy of the header with the real gdOffset follows
	markerProgress = 4 // a progress note, a lone sector (open-vmdk names it)
)

// advance reads markers until it has loaded a grain or reached the end.
func (s *StreamReader) advance() error {
	for {
		at := s.src.sector()
		n, err := io.ReadFull(s.src.r, s.sector)
		s.src.off += int64(n)
		if n == 0 && errors.Is(err, io.EOF) {
			return s.endOfFile(at)
		}
		if err != nil {
			return s.src.fail(err, "marker")
		}
		val, size := le64(s.sector), le32(s.sector[8:])
		if size != 0 {
			if s.footer {
				return errAt(at, "a grain marker follows the footer: %w", ErrCorrupt)
			}
			return s.readGrain(at, val, size)
		}
		typ := le32(s.sector[12:])
		if s.footer && typ != markerEOS {
			return errAt(at, "a marker of type %d follows the footer: %w", typ, ErrCorrupt)
		}
		switch typ {
		case markerEOS:
			if val != 0 {
				return errAt(at, "end-of-stream marker has value %d, want 0: %w", val, ErrCorrupt)
			}
			return s.finish(at)
		case markerGT:
			err = s.readTableMarker(at, val)
		case markerGD:
			err = s.readDirectoryMarker(at, val)
		case markerFooter:
			err = s.readFooter(at, val)
		case markerProgress:
		default:
			return errAt(at, "marker type %d is unknown: %w", typ, ErrCorrupt)
		}
		if err != nil {
			return err
		}
	}
}

// readGrain reads and inflates the grain whose marker is in s.sector.
func (s *StreamReader) readGrain(at, lba uint64, size uint32) error {
	h := s.hdr
	switch {
	case lba%h.grainSize != 0:
		return errAt(at, "grain marker lba %d is not a multiple of the grain size %d: %w", lba, h.grainSize, ErrCorrupt)
	case lba >= h.capacity:
		return errAt(at, "grain marker lba %d is beyond the capacity of %d sectors: %w", lba, h.capacity, ErrCorrupt)
	case int64(lba) <= s.lastLBA:
		return errAt(at, "grain marker lba %d follows lba %d: grains must come in ascending order: %w", lba, s.lastLBA, ErrCorrupt)
	case uint64(size) > uint64(maxCompressed(s.grainBytes)):
		return errAt(at, "grain marker size %d is more than %d for a %d-byte grain: %w", size, maxCompressed(s.grainBytes), s.grainBytes, ErrLimit)
	}
	first := copy(s.cbuf, s.sector[12:])
	if rest := int(size) - first; rest > 0 {
		padded := (rest + SectorSize - 1) / SectorSize * SectorSize
		if err := s.src.read(s.cbuf[first:first+padded], "compressed grain"); err != nil {
			return err
		}
	}
	want := int(min(int64(s.grainBytes), s.capacity-int64(lba)*SectorSize))
	n, err := s.inf.inflate(s.cbuf[:size], s.grain)
	if err != nil {
		return errAt(at, "grain at lba %d does not inflate: %v: %w", lba, err, ErrCorrupt)
	}
	if n < want {
		return errAt(at, "grain at lba %d inflates to %d bytes, want %d: %w", lba, n, want, ErrCorrupt)
	}
	s.lastLBA, s.grains = int64(lba), s.grains+1
	s.gOff, s.gLen, s.loaded = int64(lba)*SectorSize, want, true
	return nil
}

// readTableMarker reads a grain table written after its grains. With
// GD_AT_END its allocated entries are counted; they must point back at
// grains already read. Otherwise the tables at the front were counted and
// this copy is skipped.
func (s *StreamReader) readTableMarker(at, val uint64) error {
	h := s.hdr
	if val < h.gtSectors() {
		return errAt(at, "grain table marker holds %d sectors, want %d: %w", val, h.gtSectors(), ErrCorrupt)
	}
	if !s.atEnd {
		return s.src.skip(val*SectorSize, "grain table")
	}
	if s.gdSector != 0 {
		return errAt(at, "a grain table follows the grain directory: %w", ErrCorrupt)
	}
	if s.tables++; s.tables > h.numGTs() {
		return errAt(at, "grain table %d is more than the %d the capacity needs: %w", s.tables, h.numGTs(), ErrCorrupt)
	}
	n, err := s.countTable(func(e uint64) error {
		if e < h.overHead || e >= at {
			return errAt(at, "grain table entry %d points outside the grains read (sectors %d to %d): %w", e, h.overHead, at, ErrCorrupt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.listed += n
	return s.src.skip((val-h.gtSectors())*SectorSize, "grain table")
}

// countTable reads one grain table and counts its allocated entries (not 0
// and not 1, the zeroed-grain mark), checking each with ok.
func (s *StreamReader) countTable(ok func(entry uint64) error) (uint64, error) {
	var n uint64
	for range s.hdr.gtSectors() {
		if err := s.src.read(s.sector, "grain table"); err != nil {
			return 0, err
		}
		for i := 0; i < SectorSize; i += 4 {
			e := uint64(le32(s.sector[i:]))
			if e <= 1 {
				continue
			}
			if err := ok(e); err != nil {
				return 0, err
			}
			n++
		}
	}
	return n, nil
}

// readDirectoryMarker reads the grain directory written after the tables.
func (s *StreamReader) readDirectoryMarker(at, val uint64) error {
	h := s.hdr
	if val < h.gdSectors() {
		return errAt(at, "grain directory marker holds %d sectors, want %d: %w", val, h.gdSectors(), ErrCorrupt)
	}
	if !s.atEnd {
		return s.src.skip(val*SectorSize, "grain directory")
	}
	if s.gdSector != 0 {
		return errAt(at, "a second grain directory: %w", ErrCorrupt)
	}
	s.gdSector = at + 1
	for range h.gdSectors() {
		if err := s.src.read(s.sector, "grain directory"); err != nil {
			return err
		}
		for i := 0; i < SectorSize; i += 4 {
			if e := uint64(le32(s.sector[i:])); e != 0 && (e < h.overHead || e >= at) {
				return errAt(at, "grain directory entry %d points outside the tables read (sectors %d to %d): %w", e, h.overHead, at, ErrCorrupt)
			}
		}
	}
	return s.src.skip((val-h.gdSectors())*SectorSize, "grain directory")
}

// readFooter reads the footer: a copy of the header whose gdOffset is real.
func (s *StreamReader) readFooter(at, val uint64) error {
	if val < 1 {
		return errAt(at, "footer marker holds 0 sectors: %w", ErrCorrupt)
	}
	if err := s.src.read(s.sector, "footer"); err != nil {
		return err
	}
	f, err := parseHeader(s.sector)
	if err != nil {
		return errAt(at+1, "footer: %w", errors.Join(err, ErrCorrupt))
	}
	if err := s.hdr.sameDisk(f); err != nil {
		return errAt(at+1, "%w", err)
	}
	if s.atEnd && f.gdOffset != s.gdSector {
		return errAt(at+1, "footer gdOffset is %d, but the grain directory is at sector %d: %w", f.gdOffset, s.gdSector, ErrCorrupt)
	}
	s.footer = true
	return s.src.skip((val-1)*SectorSize, "footer")
}

// endOfFile handles the end of the input between markers: a stream with
// GD_AT_END must have ended with its footer and end-of-stream marker; one
// with its tables at the front (qemu's) may simply stop.
func (s *StreamReader) endOfFile(at uint64) error {
	if s.atEnd {
		return errAt(at, "image ends without its grain directory, footer and end-of-stream marker: %w", ErrTruncated)
	}
	return s.finish(at)
}

// finish checks the end of the stream: footer seen when required, and
// grain tables listing exactly the grains read.
func (s *StreamReader) finish(at uint64) error {
	if s.atEnd && (s.gdSector == 0 || !s.footer) {
		return errAt(at, "end of stream before the grain directory and footer: %w", ErrTruncated)
	}
	if s.listed != s.grains {
		return errAt(at, "the grain tables list %d grains, the stream holds %d: %w", s.listed, s.grains, ErrCorrupt)
	}
	s.done = true
	return nil
}
