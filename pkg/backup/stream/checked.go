package stream

import (
	"crypto/sha1" //nolint:gosec // SHA-1 only to compare with the host's NFC manifest
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// CheckedReader hands out the decompressed bytes of a stored file while
// checking them against its record. The read that would complete the file
// checks the size and SHA-256 first and, when they are wrong, fails
// instead of returning those last bytes, so a consumer never receives the
// whole of a wrong file. Bytes beyond the recorded size fail at once.
type CheckedReader struct {
	e      Expect
	src    io.Reader
	closer func()
	sha256 hash.Hash
	sha1   hash.Hash
	n      int64
	err    error
}

// NewCheckedReader returns a reader of the decompressed content of the
// stored bytes r. Closing it releases the decompressor and closes r when r
// is an io.Closer.
func NewCheckedReader(r io.Reader, e Expect, workers int) (*CheckedReader, error) {
	c := &CheckedReader{e: e, src: r, sha256: sha256.New(), sha1: sha1.New()} //nolint:gosec // see import
	closeSrc := func() {
		if rc, ok := r.(io.Closer); ok {
			_ = rc.Close()
		}
	}
	c.closer = closeSrc
	if e.Compressed {
		dec, err := newDecoder(r, workers)
		if err != nil {
			closeSrc()
			return nil, err
		}
		c.src = dec
		c.closer = func() { dec.Close(); closeSrc() }
	}
	return c, nil
}

// Read reads decompressed bytes; see the type's documentation.
func (c *CheckedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if rest := c.e.Size - c.n; int64(len(p)) > rest+1 {
		p = p[:rest+1] // one byte more than expected shows a longer file
	}
	n, err := c.src.Read(p)
	if int64(n) > c.e.Size-c.n {
		c.err = &MismatchError{File: c.e.Name, What: "decompressed size", Want: fmt.Sprint(c.e.Size), Got: "more"}
		return 0, c.err
	}
	c.sha256.Write(p[:n])
	c.sha1.Write(p[:n])
	c.n += int64(n)
	if c.n == c.e.Size && (n > 0 || c.e.Size == 0) {
		if got := hex.EncodeToString(c.sha256.Sum(nil)); got != c.e.SHA256 {
			c.err = &MismatchError{File: c.e.Name, What: "decompressed sha256", Want: c.e.SHA256, Got: got}
			return 0, c.err
		}
	}
	switch {
	case err == io.EOF && c.n < c.e.Size:
		c.err = &MismatchError{File: c.e.Name, What: "decompressed size", Want: fmt.Sprint(c.e.Size), Got: fmt.Sprint(c.n)}
		return 0, c.err
	case err != nil && err != io.EOF:
		c.err = fmt.Errorf("reading %s: %w", c.e.Name, err)
		return n, c.err
	}
	return n, err
}

// SHA1 is the SHA-1 of the bytes read so far, to compare with the host's
// NFC manifest once the file is uploaded.
func (c *CheckedReader) SHA1() string { return hex.EncodeToString(c.sha1.Sum(nil)) }

// Close releases the decompressor and the stored reader.
func (c *CheckedReader) Close() error {
	c.closer()
	return nil
}
