package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name        string
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{"start", 0, 4 << 30, 0, "disk  0 B / 4.0 GiB    0%"},
		{"quarter", 1 << 30, 4 << 30, 10 * time.Second, "disk  1.0 GiB / 4.0 GiB   25%  102.4 MiB/s  ETA 0:30"},
		{"done", 4 << 30, 4 << 30, 40 * time.Second, "disk  4.0 GiB / 4.0 GiB  100%  102.4 MiB/s"},
		{"past total", 5 << 30, 4 << 30, 50 * time.Second, "disk  5.0 GiB / 4.0 GiB  100%  102.4 MiB/s"},
		{"unknown total", 1536, 0, time.Second, "disk  1.5 KiB  1.5 KiB/s"},
		{"hours", 1 << 20, 8 << 30, time.Second, "disk  1.0 MiB / 8.0 GiB    0%  1.0 MiB/s  ETA 2:16:31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format("disk", tt.done, tt.total, tt.elapsed); got != tt.want {
				t.Errorf("Format = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	tests := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1 << 40: "1.0 TiB", 1<<62 + 1<<61: "6.0 EiB"}
	for n, want := range tests {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the bar's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestBarOnTerminal(t *testing.T) {
	var out syncBuffer
	b := New(&out, true, "web-disk-0.vmdk", 1000)
	b.Add(400)
	time.Sleep(2 * Interval)
	b.SetLabel("x")
	b.Add(600)
	b.Finish()
	b.Finish()
	s := out.String()
	if !strings.HasPrefix(s, "\rweb-disk-0.vmdk  400 B / 1000 B   40%") {
		t.Errorf("first draw: %q", s)
	}
	last := s[strings.LastIndex(s, "\r")+1:]
	if !strings.HasPrefix(last, "x  1000 B / 1000 B  100%") || !strings.HasSuffix(last, "\n") {
		t.Errorf("last draw: %q", last)
	}
	// Each draw covers what the one before it left on the line.
	draws := strings.Split(strings.TrimPrefix(s, "\r"), "\r")
	for i := 1; i < len(draws); i++ {
		if len(strings.TrimSuffix(draws[i], "\n")) < len(draws[i-1]) {
			t.Errorf("draw %d (%q) is shorter than the one before (%q)", i, draws[i], draws[i-1])
		}
	}
	if len(draws) < 2 || !strings.Contains(last, "    \n") {
		t.Errorf("the shorter last line is not padded: %q", s)
	}
	if b.Done() != 1000 {
		t.Errorf("Done = %d", b.Done())
	}
}

func TestBarOnPipeWritesNothing(t *testing.T) {
	var out syncBuffer
	b := New(&out, false, "disk", 10)
	b.Add(10)
	b.SetTotal(20)
	b.Finish()
	if out.String() != "" {
		t.Errorf("wrote %q", out.String())
	}
	New(nil, true, "disk", 10).Finish()
}
