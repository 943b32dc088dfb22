package stream

import (
	"crypto/sha1" //nolint:gosec // SHA-1 only to compare with the host's NFC manifest
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

// Sum is the size and digests of a byte stream, digests in lower-case hex.
type Sum struct {
	Size   int64
	SHA256 string
	// SHA1 is set only when asked for (Options.SHA1).
	SHA1 string
}

// digester hashes and counts what is written to it.
type digester struct {
	n      int64
	sha256 hash.Hash
	sha1   hash.Hash // nil unless asked for
}

func newDigester(withSHA1 bool) *digester {
	d := &digester{sha256: sha256.New()}
	if withSHA1 {
		d.sha1 = sha1.New() //nolint:gosec // see import
	}
	return d
}

func (d *digester) Write(p []byte) (int, error) {
	d.sha256.Write(p)
	if d.sha1 != nil {
		d.sha1.Write(p)
	}
	d.n += int64(len(p))
	return len(p), nil
}

func (d *digester) sum() Sum {
	s := Sum{Size: d.n, SHA256: hex.EncodeToString(d.sha256.Sum(nil))}
	if d.sha1 != nil {
		s.SHA1 = hex.EncodeToString(d.sha1.Sum(nil))
	}
	return s
}

// SumOf reads r to its end and returns its size and SHA-256.
func SumOf(r io.Reader) (Sum, error) {
	d := newDigester(false)
	_, err := io.Copy(d, r)
	return d.sum(), err
}

// SumBytes returns the size and SHA-256 of b.
func SumBytes(b []byte) Sum {
	d := newDigester(false)
	_, _ = d.Write(b)
	return d.sum()
}

// teeWriter writes to w and hashes what w accepted.
type teeWriter struct {
	w io.Writer
	d *digester
}

func (t *teeWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	_, _ = t.d.Write(p[:n])
	return n, err
}
