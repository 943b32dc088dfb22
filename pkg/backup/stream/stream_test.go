package stream

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // comparing with the SHA-1 the package computes
	"encoding/hex"
	"errors"
	"fmt"
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

// stored compresses data as Copy does and returns the stored bytes and the
// record that describes them.
func stored(t *testing.T, data []byte, compress bool) ([]byte, Expect) {
	t.Helper()
	var out bytes.Buffer
	res, err := Copy(context.Background(), &out, bytes.NewReader(data), Options{Compress: compress, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), Expect{
		Name: "web-disk-0.vmdk", Compressed: compress,
		Size: res.Source.Size, SHA256: res.Source.SHA256,
		StoredSize: res.Stored.Size, StoredSHA256: res.Stored.SHA256,
	}
}

func TestVerify(t *testing.T) {
	data := mixed(2<<20 + 7)
	for _, compress := range []bool{true, false} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			raw, e := stored(t, data, compress)
			var read int64
			if err := Verify(context.Background(), bytes.NewReader(raw), e, 2, func(n int64) { read += n }); err != nil {
				t.Fatalf("whole file: %v", err)
			}
			if read != int64(len(raw)) {
				t.Errorf("progress %d of %d", read, len(raw))
			}
			flipped := bytes.Clone(raw)
			flipped[len(flipped)/2] ^= 0x40
			checkMismatch(t, Verify(context.Background(), bytes.NewReader(flipped), e, 2, nil), "stored sha256")
			checkMismatch(t, Verify(context.Background(), bytes.NewReader(raw[:len(raw)-10]), e, 2, nil), "stored size")
			bad := e
			bad.SHA256 = SumBytes([]byte("other")).SHA256
			checkMismatch(t, Verify(context.Background(), bytes.NewReader(raw), bad, 2, nil), "decompressed sha256")
			bad = e
			bad.Size++
			checkMismatch(t, Verify(context.Background(), bytes.NewReader(raw), bad, 2, nil), "decompressed size")
		})
	}
}

func TestVerifyUndecodable(t *testing.T) {
	junk := mixed(1000)
	e := Expect{Name: "d", Compressed: true, Size: 1000, StoredSize: 1000, StoredSHA256: SumBytes(junk).SHA256}
	checkMismatch(t, Verify(context.Background(), bytes.NewReader(junk), e, 1, nil), "zstd stream")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Verify(ctx, bytes.NewReader(junk), e, 1, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func checkMismatch(t *testing.T, err error, what string) {
	t.Helper()
	var m *MismatchError
	if !errors.As(err, &m) || m.What != what || !errors.Is(err, ErrMismatch) || m.File == "" {
		t.Fatalf("err = %v, want a mismatch of %s", err, what)
	}
}

func TestCheckedReader(t *testing.T) {
	data := mixed(3<<20 + 1)
	raw, e := stored(t, data, true)
	t.Run("whole", func(t *testing.T) {
		r, err := NewCheckedReader(bytes.NewReader(raw), e, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		sha := sha1.Sum(data) //nolint:gosec // see import
		if r.SHA1() != hex.EncodeToString(sha[:]) {
			t.Error("SHA1 differs")
		}
	})
	tests := []struct {
		name   string
		change func(Expect) Expect
		what   string
	}{
		{"wrong digest", func(e Expect) Expect { e.SHA256 = SumBytes(nil).SHA256; return e }, "decompressed sha256"},
		{"longer than recorded", func(e Expect) Expect { e.Size -= 100; return e }, "decompressed size"},
		{"shorter than recorded", func(e Expect) Expect { e.Size += 100; return e }, "decompressed size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.change(e)
			r, err := NewCheckedReader(bytes.NewReader(raw), e, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := io.ReadAll(r)
			checkMismatch(t, err, tt.what)
			if int64(len(got)) >= e.Size && e.Size <= int64(len(data)) {
				t.Errorf("handed out %d bytes of a wrong file recorded as %d", len(got), e.Size)
			}
			if _, again := r.Read(make([]byte, 10)); again == nil {
				t.Error("a failed reader reads again")
			}
		})
	}
	t.Run("uncompressed", func(t *testing.T) {
		plain, e := stored(t, data[:1000], false)
		r, err := NewCheckedReader(io.NopCloser(bytes.NewReader(plain)), e, 1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, data[:1000]) {
			t.Fatalf("%d bytes, %v", len(got), err)
		}
		_ = r.Close()
	})
	t.Run("empty", func(t *testing.T) {
		r, err := NewCheckedReader(bytes.NewReader(nil), Expect{Name: "e", SHA256: SumBytes(nil).SHA256}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil || len(got) != 0 {
			t.Fatalf("%d bytes, %v", len(got), err)
		}
	})
	t.Run("source error", func(t *testing.T) {
		src := &cutReader{r: bytes.NewReader(data[:100]), err: io.ErrUnexpectedEOF}
		r, err := NewCheckedReader(src, Expect{Name: "x", Size: int64(len(data))}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v", err)
		}
		_ = r.Close()
		if !src.closed {
			t.Error("Close left the source open")
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
