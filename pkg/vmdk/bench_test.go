package vmdk

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

// Throughput of the stream conversions against a plain copy of the raw
// disk, all in raw-disk bytes per second:
//
//	go test -run='^$' -bench=. -benchtime=5x ./pkg/vmdk/
//
// The ratio of BenchmarkStreamWrite or BenchmarkStreamRead to
// BenchmarkRawCopy is the cost of the format.

// benchDisk is 64 MiB in which a quarter of the grains are zeros, a
// quarter random and half compressible, as a used system disk is.
func benchDisk(b *testing.B) []byte {
	b.Helper()
	raw := make([]byte, 64<<20)
	text := pattern(1, grain)
	for g := 0; g < len(raw)/grain; g++ {
		p := raw[g*grain : (g+1)*grain]
		switch g % 4 {
		case 1:
			_, _ = rand.Read(p)
		case 2, 3:
			copy(p, text)
			p[g%grain] = byte(g)
		}
	}
	return raw
}

// sink counts what is written; it takes no shortcut a real writer lacks.
type sink struct{ n int64 }

func (s *sink) Write(p []byte) (int, error) { s.n += int64(len(p)); return len(p), nil }

// BenchmarkRawCopy is the baseline: io.Copy of the raw bytes through its
// 32 KiB buffer.
func BenchmarkRawCopy(b *testing.B) {
	raw := benchDisk(b)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for range b.N {
		if _, err := io.Copy(&sink{}, struct{ io.Reader }{bytes.NewReader(raw)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamWrite converts the raw disk to streamOptimized.
func BenchmarkStreamWrite(b *testing.B) {
	raw := benchDisk(b)
	for _, level := range []struct {
		name  string
		level int
	}{{"fastest", 0}, {"zlib-default", -1}} {
		b.Run(level.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			var out int64
			for range b.N {
				s := &sink{}
				w, err := NewStreamWriter(s, int64(len(raw)), WriterOptions{CID: 1, Level: level.level})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(w, struct{ io.Reader }{bytes.NewReader(raw)}); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				out = s.n
			}
			b.ReportMetric(float64(out)/float64(len(raw)), "image/raw")
		})
	}
}

// BenchmarkStreamRead converts a streamOptimized image back to the whole
// raw disk (holes written as zeros), as io.Copy does it.
func BenchmarkStreamRead(b *testing.B) {
	raw := benchDisk(b)
	img := encodeBench(b, raw)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for range b.N {
		r, err := NewStreamReader(bytes.NewReader(img))
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(&sink{}, r); err != nil || n != int64(len(raw)) {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkStreamNext reads only the stored grains, skipping the holes.
func BenchmarkStreamNext(b *testing.B) {
	raw := benchDisk(b)
	img := encodeBench(b, raw)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for range b.N {
		r, err := NewStreamReader(bytes.NewReader(img))
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, _, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func encodeBench(b *testing.B, raw []byte) []byte {
	b.Helper()
	var img bytes.Buffer
	w, err := NewStreamWriter(&img, int64(len(raw)), WriterOptions{CID: 1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return img.Bytes()
}
