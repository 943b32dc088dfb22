package vmdk

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zlib"
)

// source reads an image front to back and counts the bytes consumed, so
// that errors and table entries can name file offsets.
type source struct {
	r   *bufio.Reader
	off int64
}

// read fills p; a short read is ErrTruncated.
func (s *source) read(p []byte, what string) error {
	n, err := io.ReadFull(s.r, p)
	s.off += int64(n)
	return s.fail(err, what)
}

// skip discards n bytes.
func (s *source) skip(n uint64, what string) error {
	for n > 0 {
		d, err := s.r.Discard(int(min(n, 1<<30)))
		s.off += int64(d)
		n -= uint64(d)
		if err != nil {
			return s.fail(err, what)
		}
	}
	return nil
}

func (s *source) fail(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("image ends at byte %d inside the %s: %w", s.off, what, ErrTruncated)
	default:
		return fmt.Errorf("reading the %s at byte %d: %w", what, s.off, err)
	}
}

// sector is the number of the next sector to be read.
func (s *source) sector() uint64 { return uint64(s.off) / SectorSize }

// inflater decompresses grains: each is a zlib stream (RFC 1950), as
// VMware's, qemu's and open-vmdk's writers produce with zlib's deflate.
type inflater struct {
	z   io.ReadCloser
	in  bytes.Reader
	one [1]byte
}

var errGrainTooLong = errors.New("inflates past the grain size")

// inflate decompresses src into dst and returns the length; the stream
// must end (checksum verified) within len(dst) bytes.
func (f *inflater) inflate(src, dst []byte) (int, error) {
	f.in.Reset(src)
	if f.z == nil {
		z, err := zlib.NewReader(&f.in)
		if err != nil {
			return 0, err
		}
		f.z = z
	} else if err := f.z.(zlib.Resetter).Reset(&f.in, nil); err != nil {
		return 0, err
	}
	n := 0
	for n < len(dst) {
		m, err := f.z.Read(dst[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	for {
		m, err := f.z.Read(f.one[:])
		switch {
		case m > 0:
			return n, errGrainTooLong
		case err == io.EOF:
			return n, nil
		case err != nil:
			return n, err
		}
	}
}
