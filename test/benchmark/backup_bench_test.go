package benchmark

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// Backup benchmarks. Each operation runs in a child process (this test
// binary again), so that its peak RSS is its own and not the simulator's:
//
//	ceso      backup.Create: export → SHA-256 → zstd → local target, streamed
//	download  the bare export: the disk read from the lease to nowhere (the floor)
//	twostep   export to a temporary file, then SHA-256 and zstd of that file
//	restore   backup.Restore of the backup ceso made, as a new VM
//
// The disk is the simulator's template, half random and half compressible
// in 1 MiB regions. Sizes come from CESO_BENCH_BACKUP_SIZES (default
// "256M"; e.g. "256M,2G" for the full comparison); each runs on the
// loopback and through a 1 Gbit/s link. Each mode reports its best time of
// the iterations and the highest peak RSS; x-download is its time over the
// bare download's:
//
//	go test -run='^$' -bench=Backup -benchtime=3x ./test/benchmark/
//	CESO_BENCH_BACKUP_SIZES=256M,2G go test -run='^$' -bench=Backup -benchtime=1x -timeout=60m ./test/benchmark/
//
// CESO_BENCH_BACKUP_WORKERS sets backup.compression.workers (default 2).

const bkChildEnv = "CESO_BACKUP_BENCH_CHILD"

// bkParams tell a child what to run.
type bkParams struct {
	Mode                             string
	Host, User, Password, Thumbprint string
	Dir, Catalog, Locks, Work        string
	ID                               string
}

// bkResult is what a child reports; the parent adds the peak RSS.
type bkResult struct {
	Seconds float64
	Bytes   int64 // disk bytes moved (decompressed)
	Stored  int64 // bytes written to the target
	ID      string
	Err     string
	RSS     int64 // bytes, filled in by the parent
}

// bkHost is a simulator with a template disk of the given size, reached
// directly or through a link of limited bandwidth.
type bkHost struct {
	sim               *esxisim.Simulator
	addr              string // where the children connect
	dir, catalog, tmp string
}

func bkStart(tb testing.TB, size int64) *bkHost {
	tb.Helper()
	sim := simtest.Start(tb, esxisim.Options{TemplateDiskSize: size})
	state := tb.TempDir()
	return &bkHost{sim: sim, addr: sim.Host(), dir: tb.TempDir(), catalog: filepath.Join(state, "catalog.db"), tmp: tb.TempDir()}
}

// bkRun runs one mode in a child process and returns its result with its
// peak RSS.
func (h *bkHost) bkRun(tb testing.TB, mode, id string) bkResult {
	tb.Helper()
	p, _ := json.Marshal(bkParams{Mode: mode, Host: h.addr, User: h.sim.User(), Password: h.sim.Password(),
		Thumbprint: h.sim.Thumbprint(), Dir: h.dir, Catalog: h.catalog, Locks: filepath.Dir(h.catalog), Work: h.tmp, ID: id})
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackupBenchChild$")
	cmd.Env = append(os.Environ(), bkChildEnv+"="+string(p))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	var res bkResult
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "BENCH "); ok {
			_ = json.Unmarshal([]byte(line), &res)
		}
	}
	if err := cmd.Wait(); err != nil || res.Err != "" {
		tb.Fatalf("%s: %v %s", mode, err, res.Err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.RSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return res
}

func bkReport(b *testing.B, res bkResult, download float64) {
	b.ReportMetric(float64(res.Bytes)/res.Seconds/1e6, "MB/s")
	b.ReportMetric(float64(res.RSS)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(res.Seconds, "s")
	if download > 0 {
		b.ReportMetric(res.Seconds/download, "x-download")
	}
}

// BenchmarkBackup compares ceso's streamed backup with the bare download
// and with exporting to a file and compressing it afterwards, and measures
// the restore, per disk size and link: the loopback (the simulated host
// shares the machine's CPUs with ceso) and a 1 Gbit/s link (as to a real
// host, whose NFC transfers are network-bound).
func BenchmarkBackup(b *testing.B) {
	for _, size := range bkSizes(b) {
		for _, link := range []int{0, 1000} {
			bkBench(b, size, link)
		}
	}
}

func bkBench(b *testing.B, size int64, link int) {
	h := bkStart(b, size)
	label := fmt.Sprintf("disk=%dMiB/link=loopback", size>>20)
	if link > 0 {
		h.bkLink(b, link)
		label = fmt.Sprintf("disk=%dMiB/link=%dMbit", size>>20, link)
	}
	var download float64
	var id string
	for _, mode := range []string{"download", "ceso", "twostep", "restore"} {
		b.Run(label+"/"+mode, func(b *testing.B) {
			// Best of the iterations (-benchtime=Nx): the machine is shared.
			var res bkResult
			for b.Loop() {
				r := h.bkRun(b, mode, id)
				if res.Seconds == 0 || r.Seconds < res.Seconds {
					rss := max(res.RSS, r.RSS)
					res, res.RSS = r, rss
				} else {
					res.RSS = max(res.RSS, r.RSS)
				}
			}
			switch mode {
			case "download":
				download = res.Seconds
			case "ceso":
				id = res.ID
				b.ReportMetric(float64(res.Stored)/float64(res.Bytes), "stored-ratio")
			}
			bkReport(b, res, download)
		})
	}
}

// TestBackupBenchChild is the child process of BenchmarkBackup.
func TestBackupBenchChild(t *testing.T) {
	raw := os.Getenv(bkChildEnv)
	if raw == "" {
		t.Skip("run by BenchmarkBackup")
	}
	var p bkParams
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	res, err := bkChild(p)
	if err != nil {
		res.Err = err.Error()
	}
	line, _ := json.Marshal(res)
	fmt.Println("BENCH " + string(line))
}

func bkChild(p bkParams) (bkResult, error) {
	ctx := context.Background()
	c, err := client.Connect(ctx, client.Config{Host: p.Host, User: p.User, Password: p.Password, Thumbprint: p.Thumbprint})
	if err != nil {
		return bkResult{}, err
	}
	defer c.Logout(ctx)
	l, err := target.NewLocal("local", p.Dir)
	if err != nil {
		return bkResult{}, err
	}
	d := backup.Deps{Client: c, Catalog: backup.FileCatalog{Path: p.Catalog}, Targets: target.Single(l), LockDir: p.Locks,
		Compression: config.Compression{Algorithm: "zstd", Level: 3, Workers: bkWorkers()}}
	start := time.Now()
	var res bkResult
	switch p.Mode {
	case "ceso":
		e, err := backup.Create(ctx, d, backup.CreateRequest{VM: esxisim.TemplateName})
		if err != nil {
			return res, err
		}
		if _, err := fmt.Sscan(e.Metadata["uncompressed_bytes"], &res.Bytes); err != nil {
			return res, err
		}
		res.ID, res.Stored = e.ID, e.Size
	case "restore":
		r, err := backup.Restore(ctx, d, backup.RestoreRequest{ID: p.ID, AsNew: fmt.Sprintf("restored-%d", time.Now().UnixNano())})
		if err != nil {
			return res, err
		}
		res.Bytes = r.Bytes
	case "download", "twostep":
		res.Bytes, res.Stored, err = bkExport(ctx, c, p)
		if err != nil {
			return res, err
		}
	default:
		return res, fmt.Errorf("unknown mode %q", p.Mode)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}
