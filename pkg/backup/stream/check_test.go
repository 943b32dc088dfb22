package stream

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // comparing with the SHA-1 the package computes
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"testing"
)

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

func TestVerifyInspect(t *testing.T) {
	data := mixed(1<<20 + 3)
	for _, compress := range []bool{true, false} {
		raw, e := stored(t, data, compress)
		var seen int64
		whole := func(r io.Reader) error {
			n, err := io.Copy(io.Discard, r)
			seen = n
			return err
		}
		if err := VerifyInspect(context.Background(), bytes.NewReader(raw), e, 2, nil, whole); err != nil || seen != int64(len(data)) {
			t.Fatalf("compress %v: %v, inspected %d of %d bytes", compress, err, seen, len(data))
		}
		// An inspector that stops early and fails: the digests are still
		// checked first, then its verdict.
		early := func(r io.Reader) error {
			_, _ = io.ReadFull(r, make([]byte, 10))
			return errors.New("grain 3 does not inflate")
		}
		checkMismatch(t, VerifyInspect(context.Background(), bytes.NewReader(raw), e, 2, nil, early), "structure")
		flipped := bytes.Clone(raw)
		flipped[len(flipped)/2] ^= 0x40
		checkMismatch(t, VerifyInspect(context.Background(), bytes.NewReader(flipped), e, 2, nil, early), "stored sha256")
	}
}
