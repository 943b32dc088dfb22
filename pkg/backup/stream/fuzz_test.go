package stream

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// FuzzVerify feeds damaged stored files to the decompressing checks: they
// must report a mismatch, never panic, never accept changed data.
func FuzzVerify(f *testing.F) {
	var good bytes.Buffer
	// Small inputs keep the fuzzer's minimisation quick: 2 KiB of random
	// bytes and 2 KiB of text, so the frame has a raw and a compressed part.
	data := append(mixed(2048), bytes.Repeat([]byte("ceso "), 410)...)
	res, err := Copy(context.Background(), &good, bytes.NewReader(data), Options{Compress: true})
	if err != nil {
		f.Fatal(err)
	}
	e := Expect{Name: "d", Compressed: true, Size: res.Source.Size, SHA256: res.Source.SHA256,
		StoredSize: res.Stored.Size, StoredSHA256: res.Stored.SHA256}
	f.Add(good.Bytes(), uint16(0), byte(0))
	f.Add(good.Bytes(), uint16(100), byte(1))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd}, uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, stored []byte, at uint16, flip byte) {
		b := bytes.Clone(stored)
		if len(b) > 0 {
			b[int(at)%len(b)] ^= flip
		}
		same := bytes.Equal(b, good.Bytes())
		err := Verify(context.Background(), bytes.NewReader(b), e, 1, nil)
		if same != (err == nil) {
			t.Fatalf("identical: %v, Verify: %v", same, err)
		}
		if err != nil && !errors.Is(err, ErrMismatch) {
			t.Fatalf("not a mismatch: %v", err)
		}
		r, err := NewCheckedReader(bytes.NewReader(b), e, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		out, err := io.ReadAll(r)
		if err == nil && !bytes.Equal(out, data) {
			t.Fatal("the checked reader accepted other data")
		}
	})
}
