package stream

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // comparing with the SHA-1 the package computes
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// mixed returns n bytes alternating random and repeated text, like a disk.
func mixed(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		if (i/(64<<10))%2 == 0 {
			b[i] = byte(r.Uint32())
		} else {
			b[i] = "ceso "[i%5]
		}
	}
	return b
}

func TestCopy(t *testing.T) {
	data := mixed(5<<20 + 123)
	want := SumBytes(data)
	tests := []struct {
		name string
		opt  Options
	}{
		{"zstd one worker", Options{Compress: true, Level: 3, Workers: 1}},
		{"zstd two workers", Options{Compress: true, Level: 3, Workers: 2}},
		{"zstd fastest small chunks", Options{Compress: true, Level: 1, Workers: 2, ChunkSize: 4096, Depth: 1}},
		{"zstd best", Options{Compress: true, Level: 19, Workers: 2}},
		{"zstd defaults", Options{Compress: true}},
		{"none", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var progressed int64
			tt.opt.Progress = func(n int64) { progressed += n }
			tt.opt.SHA1 = true
			res, err := Copy(context.Background(), &out, bytes.NewReader(data), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			sha := sha1.Sum(data) //nolint:gosec // see import
			if res.Source.Size != want.Size || res.Source.SHA256 != want.SHA256 || res.Source.SHA1 != hex.EncodeToString(sha[:]) {
				t.Errorf("source = %+v, want %+v", res.Source, want)
			}
			if got := SumBytes(out.Bytes()); got != res.Stored {
				t.Errorf("stored = %+v, the bytes written are %+v", res.Stored, got)
			}
			if progressed != int64(len(data)) {
				t.Errorf("progress counted %d bytes", progressed)
			}
			back := out.Bytes()
			if tt.opt.Compress {
				if res.Stored.Size >= res.Source.Size {
					t.Errorf("compressed %d to %d", res.Source.Size, res.Stored.Size)
				}
				dec, err := zstd.NewReader(nil)
				if err != nil {
					t.Fatal(err)
				}
				defer dec.Close()
				if back, err = dec.DecodeAll(out.Bytes(), nil); err != nil {
					t.Fatalf("zstd cannot read the output: %v", err)
				}
			}
			if !bytes.Equal(back, data) {
				t.Error("round trip changed the data")
			}
		})
	}
}

func TestCopyEmpty(t *testing.T) {
	var out bytes.Buffer
	res, err := Copy(context.Background(), &out, bytes.NewReader(nil), Options{Compress: true})
	if err != nil || res.Source.Size != 0 || res.Source.SHA256 != SumBytes(nil).SHA256 {
		t.Fatalf("res = %+v, %v", res, err)
	}
}

// cutReader returns its data, then fails the way a cut connection does.
type cutReader struct {
	r      io.Reader
	err    error
	closed bool
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, c.err
	}
	return n, err
}

func (c *cutReader) Close() error { c.closed = true; return nil }

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk on fire")
	}
	f.after -= len(p)
	return len(p), nil
}

func TestCopyFailures(t *testing.T) {
	data := mixed(3 << 20)
	t.Run("cut source", func(t *testing.T) {
		src := &cutReader{r: bytes.NewReader(data[:1<<20+5]), err: io.ErrUnexpectedEOF}
		_, err := Copy(context.Background(), io.Discard, src, Options{Compress: true})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v, want the source's unexpected EOF", err)
		}
	})
	t.Run("failing destination closes the source", func(t *testing.T) {
		src := &cutReader{r: bytes.NewReader(data), err: io.EOF}
		_, err := Copy(context.Background(), &failWriter{after: 1 << 20}, src, Options{ChunkSize: 64 << 10})
		if err == nil || !src.closed {
			t.Fatalf("err = %v, source closed: %v", err, src.closed)
		}
	})
	t.Run("failing destination while compressing", func(t *testing.T) {
		_, err := Copy(context.Background(), &failWriter{}, bytes.NewReader(data), Options{Compress: true, Workers: 2})
		if err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Copy(ctx, io.Discard, bytes.NewReader(data), Options{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad level", func(t *testing.T) {
		_, err := Copy(context.Background(), io.Discard, bytes.NewReader(data), Options{Compress: true, Level: 0, Workers: 0})
		if err != nil {
			t.Fatalf("defaults refused: %v", err)
		}
	})
}

func TestSumOf(t *testing.T) {
	s, err := SumOf(bytes.NewReader([]byte("abc")))
	if err != nil || s.Size != 3 || s.SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("SumOf = %+v, %v", s, err)
	}
}

func TestMismatchErrorText(t *testing.T) {
	err := &MismatchError{File: "web-disk-0.vmdk", What: "stored sha256", Want: "aa", Got: "bb"}
	if err.Error() != "web-disk-0.vmdk: stored sha256 is bb, the manifest says aa" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestEncoderWorkers(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	if got := EncoderWorkers(0); got != 1 {
		t.Errorf("EncoderWorkers(0) = %d", got)
	}
	if got := EncoderWorkers(64); got != max(1, procs-1) {
		t.Errorf("EncoderWorkers(64) = %d with %d CPUs", got, procs)
	}
}
