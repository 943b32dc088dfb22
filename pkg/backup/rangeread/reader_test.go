package rangeread

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// file is a fetchable byte slice that records concurrency and can fail.
type file struct {
	data    []byte
	active  atomic.Int32
	peak    atomic.Int32
	calls   atomic.Int32
	fail    func(call int32, off int64) error // nil: never
	short   bool                              // the body ends early
	release chan struct{}                     // when set, each fetch waits for it
}

func (f *file) fetch(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	c := f.calls.Add(1)
	a := f.active.Add(1)
	defer f.active.Add(-1)
	for {
		p := f.peak.Load()
		if a <= p || f.peak.CompareAndSwap(p, a) {
			break
		}
	}
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.fail != nil {
		if err := f.fail(c, off); err != nil {
			return nil, err
		}
	}
	end := off + n
	if f.short {
		end--
	}
	return io.NopCloser(bytes.NewReader(f.data[off:end])), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestReaderReadsInOrder(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		chunk    int64
		inflight int
	}{
		{"one chunk", 100, 1000, 4},
		{"exact chunks", 4096, 1024, 2},
		{"ragged end", 5000, 1024, 3},
		{"one at a time", 3000, 512, 1},
		{"more in flight than chunks", 2000, 1024, 8},
		{"empty", 0, 1024, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &file{data: randomBytes(tt.size)}
			var progress atomic.Int64
			r := New(context.Background(), f.fetch, Options{Size: int64(tt.size), ChunkSize: tt.chunk, InFlight: tt.inflight,
				Progress: func(n int64) { progress.Add(n) }})
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, f.data) {
				t.Fatalf("read %d bytes, %v; want %d", len(got), err, tt.size)
			}
			_ = r.Close()
			if progress.Load() != int64(tt.size) || f.peak.Load() > int32(tt.inflight) {
				t.Errorf("progress %d, peak concurrency %d", progress.Load(), f.peak.Load())
			}
		})
	}
}

func TestReaderKeepsRequestsInFlight(t *testing.T) {
	f := &file{data: randomBytes(16 << 10), release: make(chan struct{})}
	r := New(context.Background(), f.fetch, Options{Size: 16 << 10, ChunkSize: 1 << 10, InFlight: 4})
	defer r.Close()
	deadline := time.Now().Add(10 * time.Second)
	for f.active.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := f.active.Load(); got != 4 {
		t.Fatalf("%d requests in flight before anything was read, want 4", got)
	}
	close(f.release)
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, f.data) || f.peak.Load() != 4 {
		t.Fatalf("read %d, %v, peak %d", len(got), err, f.peak.Load())
	}
}

func TestReaderNext(t *testing.T) {
	f := &file{data: randomBytes(2500)}
	r := New(context.Background(), f.fetch, Options{Size: 2500, ChunkSize: 1000, InFlight: 2})
	defer r.Close()
	// A Read of part of the first chunk, then Next gives the rest of it.
	head := make([]byte, 10)
	if n, err := r.Read(head); n != 10 || err != nil {
		t.Fatal(n, err)
	}
	var offs []int64
	for {
		off, b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil || !bytes.Equal(b, f.data[off:off+int64(len(b))]) {
			t.Fatalf("chunk at %d: %v", off, err)
		}
		offs = append(offs, off)
	}
	if len(offs) != 3 || offs[0] != 10 || offs[1] != 1000 || offs[2] != 2000 {
		t.Fatalf("chunks at %v", offs)
	}
}

func TestReaderRetries(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name    string
		fail    func(call int32, off int64) error
		short   bool
		retries int
		wantErr string
		calls   int32
	}{
		{"one failure retried", func(c int32, off int64) error {
			if c == 1 {
				return boom
			}
			return nil
		}, false, 0, "", 4},
		{"always failing", func(c int32, off int64) error {
			if off == 1024 {
				return boom
			}
			return nil
		}, false, 2, "reading bytes 1024-2047: connection reset", 4},
		{"permanent", func(c int32, off int64) error {
			if off == 0 {
				return Permanent(errors.New("404 Not Found"))
			}
			return nil
		}, false, 2, "reading bytes 0-1023: 404 Not Found", 1},
		{"no retries", func(c int32, off int64) error { return boom }, false, -1, "connection reset", 1},
		{"short body", nil, true, -1, "1023 of 1024 bytes arrived", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &file{data: randomBytes(3 << 10), fail: tt.fail, short: tt.short}
			r := New(context.Background(), f.fetch, Options{Size: 3 << 10, ChunkSize: 1 << 10, InFlight: 1, Retries: tt.retries, Backoff: time.Millisecond})
			got, err := io.ReadAll(r)
			_ = r.Close()
			if tt.wantErr == "" {
				if err != nil || !bytes.Equal(got, f.data) {
					t.Fatalf("read %d bytes, %v", len(got), err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if c := f.calls.Load(); c != tt.calls {
				t.Errorf("%d fetches, want %d", c, tt.calls)
			}
			if _, err2 := r.Read(make([]byte, 1)); err2 == nil {
				t.Error("a read after the end or an error succeeded")
			}
		})
	}
}

func TestReaderCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &file{data: randomBytes(8 << 10), release: make(chan struct{})}
	r := New(ctx, f.fetch, Options{Size: 8 << 10, ChunkSize: 1 << 10, InFlight: 3})
	var wg sync.WaitGroup
	wg.Add(1)
	var err error
	go func() { defer wg.Done(); _, err = io.ReadAll(r) }()
	cancel()
	wg.Wait()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	_ = r.Close() // waits for the fetches: none is left running
	if a := f.active.Load(); a != 0 {
		t.Fatalf("%d fetches still running after Close", a)
	}
	if _, err := r.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after Close")
	}
	closed := New(context.Background(), f.fetch, Options{Size: 1 << 10})
	_ = closed.Close()
	if _, _, err := closed.Next(); err == nil {
		t.Fatal("Next after Close")
	}
}
