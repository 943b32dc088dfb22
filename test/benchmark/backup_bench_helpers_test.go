package benchmark

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/stream"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/klauspost/compress/zstd"
)

func bkSizes(tb testing.TB) []int64 {
	tb.Helper()
	spec := os.Getenv("CESO_BENCH_BACKUP_SIZES")
	if spec == "" {
		spec = "256M"
	}
	var out []int64
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimSpace(strings.ToUpper(s))
		mult := int64(1)
		switch {
		case strings.HasSuffix(s, "G"):
			mult, s = 1<<30, strings.TrimSuffix(s, "G")
		case strings.HasSuffix(s, "M"):
			mult, s = 1<<20, strings.TrimSuffix(s, "M")
		}
		var n int64
		if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
			tb.Fatalf("CESO_BENCH_BACKUP_SIZES: bad size %q", s)
		}
		out = append(out, n*mult)
	}
	return out
}

// bkLink makes the children reach the host through a link of mbit Mbit/s
// in each direction.
func (h *bkHost) bkLink(tb testing.TB, mbit int) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	rate := float64(mbit) * 1e6 / 8
	down, up := &bkBucket{rate: rate}, &bkBucket{rate: rate}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", h.sim.Host())
			if err != nil {
				_ = in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); bkPipe(out, in, up) }()
			go func() { defer wg.Done(); bkPipe(in, out, down) }()
		}
	}()
	tb.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	h.addr = ln.Addr().String()
}

// bkBucket paces the bytes of one direction of the link.
type bkBucket struct {
	mu   sync.Mutex
	rate float64 // bytes per second
	next time.Time
}

func (b *bkBucket) wait(n int) {
	b.mu.Lock()
	now := time.Now()
	if b.next.Before(now) {
		b.next = now
	}
	b.next = b.next.Add(time.Duration(float64(n) / b.rate * float64(time.Second)))
	until := b.next
	b.mu.Unlock()
	// Sleep only when well ahead: a sleep overshoots by about a
	// millisecond, which short sleeps per chunk would add up.
	if d := time.Until(until); d > 5*time.Millisecond {
		time.Sleep(d)
	}
}

func bkPipe(dst, src net.Conn, b *bkBucket) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			b.wait(n)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// bkExport downloads the template's disk through an export lease, to
// nowhere (download) or to a file that is then hashed and compressed
// (twostep).
func bkExport(ctx context.Context, c *client.Client, p bkParams) (int64, int64, error) {
	h := esxihost.New(c)
	v, err := h.Find(ctx, esxisim.TemplateName)
	if err != nil {
		return 0, 0, err
	}
	exp, err := h.Export(ctx, v)
	if err != nil {
		return 0, 0, err
	}
	disk := exp.Disks()[0]
	body, _, err := exp.Open(ctx, disk)
	if err != nil {
		exp.Abort(err)
		return 0, 0, err
	}
	var dst io.Writer = io.Discard
	var f *os.File
	if p.Mode == "twostep" {
		if f, err = os.Create(filepath.Join(p.Work, "disk.vmdk")); err != nil {
			return 0, 0, err
		}
		defer os.Remove(f.Name())
		dst = f
	}
	n, err := io.Copy(dst, body)
	_ = body.Close()
	if err != nil {
		exp.Abort(err)
		return n, 0, err
	}
	if err := exp.Complete(ctx); err != nil {
		return n, 0, err
	}
	if f == nil {
		return n, 0, nil
	}
	stored, err := bkCompressFile(f, filepath.Join(p.Work, "disk.vmdk.zst"))
	return n, stored, err
}

// bkWorkers is backup.compression.workers for the run:
// CESO_BENCH_BACKUP_WORKERS, else 2 (the configuration's default).
func bkWorkers() int {
	n := 2
	if v := os.Getenv("CESO_BENCH_BACKUP_WORKERS"); v != "" {
		_, _ = fmt.Sscan(v, &n)
	}
	return n
}

// bkCompressFile hashes and compresses a finished file, the second step.
func bkCompressFile(f *os.File, out string) (int64, error) {
	defer f.Close()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	o, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer os.Remove(out)
	defer o.Close()
	// The same encoder settings as ceso's (package stream), so that only
	// the order of the work differs.
	workers := stream.EncoderWorkers(bkWorkers())
	opts := []zstd.EOption{zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(workers), zstd.WithWindowSize(1 << 20)}
	if workers > 1 {
		opts = append(opts, zstd.WithConcurrentBlocks(true))
	}
	enc, err := zstd.NewWriter(o, opts...)
	if err != nil {
		return 0, err
	}
	sum := sha256.New()
	if _, err := io.Copy(io.MultiWriter(enc, sum), f); err != nil {
		return 0, err
	}
	if err := enc.Close(); err != nil {
		return 0, err
	}
	if err := o.Sync(); err != nil {
		return 0, err
	}
	st, err := o.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
