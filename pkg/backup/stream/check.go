package stream

import (
	"context"
	"fmt"
	"io"
)

// Expect is what a stored file must be, from its manifest record.
type Expect struct {
	Name       string
	Compressed bool
	// Size and SHA256 describe the decompressed bytes.
	Size   int64
	SHA256 string
	// StoredSize and StoredSHA256 describe the stored bytes.
	StoredSize   int64
	StoredSHA256 string
}

// Verify reads the stored bytes from r to their end, decompresses them when
// the file is compressed, and checks both sides' sizes and SHA-256. A
// difference is a *MismatchError naming the file; a stored file that does
// not decompress is reported as such after its stored digest is checked,
// since a changed stored byte usually breaks the compressed stream.
// progress, when set, receives the number of stored bytes read.
func Verify(ctx context.Context, r io.Reader, e Expect, workers int, progress func(int64)) error {
	return VerifyInspect(ctx, r, e, workers, progress, nil)
}

// VerifyInspect is Verify that also hands the decompressed bytes, as they
// are read, to inspect (in a goroutine of its own), which checks their
// structure: an error of inspect, once the digests match, is a
// *MismatchError ("structure"). inspect need not read to the end.
func VerifyInspect(ctx context.Context, r io.Reader, e Expect, workers int, progress func(int64), inspect func(io.Reader) error) error {
	stored := newDigester(false)
	src := io.TeeReader(&ctxReader{ctx: ctx, r: r, progress: progress}, stored)
	plain := newDigester(false)
	var sink io.Writer = plain
	finish := func(error) error { return nil }
	if inspect != nil {
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			err := inspect(pr)
			_, _ = io.Copy(io.Discard, pr) // let the writer finish
			done <- err
		}()
		sink = io.MultiWriter(plain, pw)
		finish = func(cause error) error { _ = pw.CloseWithError(cause); return <-done }
	}
	var decodeErr error
	if e.Compressed {
		dec, err := newDecoder(src, workers)
		if err != nil {
			_ = finish(err)
			return err
		}
		_, decodeErr = io.Copy(sink, dec)
		dec.Close()
	} else if _, err := io.Copy(sink, src); err != nil {
		_ = finish(err)
		return fmt.Errorf("reading %s: %w", e.Name, err)
	}
	inspectErr := finish(decodeErr)
	if err := ctx.Err(); err != nil {
		return err
	}
	if decodeErr != nil {
		// Read the rest, so the stored digest says whether the file changed.
		if _, err := io.Copy(io.Discard, src); err != nil {
			return fmt.Errorf("reading %s: %w", e.Name, err)
		}
	}
	if err := e.checkStored(stored.sum()); err != nil {
		return err
	}
	if decodeErr != nil {
		return &MismatchError{File: e.Name, What: "zstd stream", Want: "decodable", Got: "undecodable (" + decodeErr.Error() + ")"}
	}
	if err := e.checkPlain(plain.sum()); err != nil {
		return err
	}
	if inspectErr != nil {
		return &MismatchError{File: e.Name, What: "structure", Want: "readable", Got: inspectErr.Error()}
	}
	return nil
}

func (e Expect) checkStored(s Sum) error {
	if s.Size != e.StoredSize {
		return &MismatchError{File: e.Name, What: "stored size", Want: fmt.Sprint(e.StoredSize), Got: fmt.Sprint(s.Size)}
	}
	if s.SHA256 != e.StoredSHA256 {
		return &MismatchError{File: e.Name, What: "stored sha256", Want: e.StoredSHA256, Got: s.SHA256}
	}
	return nil
}

func (e Expect) checkPlain(s Sum) error {
	if s.Size != e.Size {
		return &MismatchError{File: e.Name, What: "decompressed size", Want: fmt.Sprint(e.Size), Got: fmt.Sprint(s.Size)}
	}
	if s.SHA256 != e.SHA256 {
		return &MismatchError{File: e.Name, What: "decompressed sha256", Want: e.SHA256, Got: s.SHA256}
	}
	return nil
}

// ctxReader stops reading once ctx is done and reports stored progress.
type ctxReader struct {
	ctx      context.Context
	r        io.Reader
	progress func(int64)
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if n > 0 && c.progress != nil {
		c.progress(int64(n))
	}
	return n, err
}
