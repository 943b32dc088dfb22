package vmdk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// emit writes grain g unless it is all zeros, after the grain tables of
// the grains before it.
func (s *StreamWriter) emit(g int64, data []byte) error {
	if s.err != nil {
		return s.err
	}
	if bytes.Equal(data, s.zero[:len(data)]) {
		return nil
	}
	for t := uint64(g) / uint64(s.hdr.numGTEsPerGT); s.gtIdx < t; {
		if err := s.writeTable(); err != nil {
			return err
		}
	}
	sector, err := s.sector()
	if err != nil {
		return err
	}
	s.out.Reset()
	s.out.Write(make([]byte, 12))
	s.zw.Reset(&s.out)
	if _, err := s.zw.Write(data); err != nil {
		return s.fail(fmt.Errorf("compressing grain %d: %w", g, err))
	}
	if err := s.zw.Close(); err != nil {
		return s.fail(fmt.Errorf("compressing grain %d: %w", g, err))
	}
	b := s.out.Bytes()
	binary.LittleEndian.PutUint64(b, uint64(g)*s.hdr.grainSize)
	binary.LittleEndian.PutUint32(b[8:], uint32(len(b)-12))
	if pad := len(b) % SectorSize; pad != 0 {
		s.out.Write(s.zero[:SectorSize-pad])
	}
	s.gt[uint64(g)%uint64(s.hdr.numGTEsPerGT)] = sector
	return s.write(s.out.Bytes())
}

// writeTable writes grain table gtIdx with its marker.
func (s *StreamWriter) writeTable() error {
	sector, err := s.sector()
	if err != nil {
		return err
	}
	b := make([]byte, SectorSize+len(s.gt)*4)
	putMarker(b, s.hdr.gtSectors(), markerGT)
	for i, e := range s.gt {
		binary.LittleEndian.PutUint32(b[SectorSize+4*i:], e)
	}
	clear(s.gt)
	s.gd[s.gtIdx] = sector + 1
	s.gtIdx++
	return s.write(b)
}

// Close flushes the last grain and writes the remaining grain tables, the
// grain directory, the footer and the end-of-stream marker. It does not
// close the underlying writer. Bytes never written read as zeros.
func (s *StreamWriter) Close() error {
	if s.err != nil {
		return s.err
	}
	if err := s.flush(); err != nil {
		return err
	}
	for s.gtIdx < uint64(len(s.gd)) {
		if err := s.writeTable(); err != nil {
			return err
		}
	}
	sector, err := s.sector()
	if err != nil {
		return err
	}
	gdSectors := s.hdr.gdSectors()
	b := make([]byte, (1+gdSectors+2+1)*SectorSize)
	putMarker(b, gdSectors, markerGD)
	for i, e := range s.gd {
		binary.LittleEndian.PutUint32(b[SectorSize+4*i:], e)
	}
	footer := b[(1+gdSectors)*SectorSize:]
	putMarker(footer, 1, markerFooter)
	f := s.hdr
	f.gdOffset = uint64(sector) + 1
	copy(footer[SectorSize:], f.marshal())
	// the last sector stays zero: the end-of-stream marker
	if err := s.write(b); err != nil {
		return err
	}
	s.err = fmt.Errorf("closed: %w", ErrClosed)
	return nil
}

// putMarker writes a metadata marker: val sectors of type typ follow.
func putMarker(b []byte, val uint64, typ uint32) {
	binary.LittleEndian.PutUint64(b, val)
	binary.LittleEndian.PutUint32(b[12:], typ)
}

// sector is the sector the next write starts at; table entries hold it in
// 32 bits, so an image stops at 2 TiB of compressed data.
func (s *StreamWriter) sector() (uint32, error) {
	n := s.off / SectorSize
	if n > math.MaxUint32-int64(SectorSize) {
		return 0, s.fail(fmt.Errorf("the image passes %d sectors, the most grain tables can address: %w", uint64(math.MaxUint32), ErrLimit))
	}
	return uint32(n), nil
}

// write writes b to the image.
func (s *StreamWriter) write(b []byte) error {
	n, err := s.w.Write(b)
	s.off += int64(n)
	if err != nil {
		return s.fail(fmt.Errorf("writing the image at byte %d: %w", s.off, err))
	}
	return nil
}

// fail makes err sticky.
func (s *StreamWriter) fail(err error) error {
	s.err = err
	return err
}
