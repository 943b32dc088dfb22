package esxisim

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDiskContentLayout(t *testing.T) {
	const size = diskHeaderSize + 3*diskRegionSize + 777
	data := readAll(t, DiskContent("label-a", size))
	if len(data) != size {
		t.Fatalf("len = %d, want %d", len(data), size)
	}
	header := string(data[:diskHeaderSize])
	for _, want := range []string{"CESO ESXISIM DISK v1", "label: label-a", fmt.Sprintf("size: %d", size)} {
		if !strings.Contains(header, want) {
			t.Errorf("header lacks %q: %q", want, header[:120])
		}
	}
	region := func(i int) []byte {
		start := diskHeaderSize + i*diskRegionSize
		return data[start:min(start+diskRegionSize, size)]
	}
	ratio := func(b []byte) float64 {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestSpeed)
		_, _ = w.Write(b)
		_ = w.Close()
		return float64(buf.Len()) / float64(len(b))
	}
	if r := ratio(region(0)); r < 0.99 {
		t.Errorf("random region compresses to %.2f", r)
	}
	if r := ratio(region(1)); r > 0.05 {
		t.Errorf("text region compresses only to %.2f", r)
	}
	if !bytes.Contains(region(1), []byte("label-a compressible region 00000001")) {
		t.Error("text region does not name the label")
	}
	if bytes.Equal(region(0), region(2)) {
		t.Error("random regions repeat")
	}
}

func TestDiskContentIsDeterministic(t *testing.T) {
	const size = 2*diskRegionSize + 12345
	a := readAll(t, DiskContent("x", size))
	tests := []struct {
		name  string
		other []byte
		same  bool
	}{
		{"same label", readAll(t, DiskContent("x", size)), true},
		{"other label", readAll(t, DiskContent("y", size)), false},
		{"small reads", readAll(t, io.LimitReader(struct{ io.Reader }{DiskContent("x", size)}, size)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bytes.Equal(a, tt.other) != tt.same {
				t.Errorf("equal = %v, want %v", !tt.same, tt.same)
			}
		})
	}
	ra := DiskContent("x", size).(io.ReaderAt)
	for _, off := range []int64{0, 100, diskHeaderSize - 3, diskRegionSize + 5, size - 10} {
		buf := make([]byte, 64)
		n, err := ra.ReadAt(buf, off)
		if !bytes.Equal(buf[:n], a[off:off+int64(n)]) {
			t.Errorf("ReadAt(%d) differs", off)
		}
		if off+64 > size && err != io.EOF {
			t.Errorf("ReadAt(%d) past the end: err = %v", off, err)
		}
	}
	if _, err := ra.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("negative offset accepted")
	}
	if n := len(readAll(t, DiskContent("x", -5))); n != 0 {
		t.Errorf("negative size gives %d bytes", n)
	}
}

func TestDiskContentSmallerThanHeader(t *testing.T) {
	data := readAll(t, DiskContent("tiny", 100))
	if len(data) != 100 || !bytes.HasPrefix(data, []byte("CESO ESXISIM DISK v1")) {
		t.Errorf("got %d bytes: %q", len(data), data[:20])
	}
}
