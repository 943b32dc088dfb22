package backup

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/vmdk"
)

// hotDiskSize is the template disk of the hot tests: four 4 MiB chunks,
// the second of which the tests make all zeros.
const hotDiskSize = 16 << 20

// zeroChunk makes bytes [4 MiB, 8 MiB) of the VM's first disk zeros, as a
// thin disk's unwritten space reads.
func (e *env) zeroChunk(t *testing.T, name string) {
	t.Helper()
	p := e.flatPath(t, name)
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, 4<<20), 4<<20); err != nil {
		t.Fatal(err)
	}
}

// flatPath is the local file of a VM's first disk's data.
func (e *env) flatPath(t *testing.T, name string) string {
	t.Helper()
	info, err := vm.GetInfo(ctxT(t), e.c, name)
	if err != nil {
		t.Fatal(err)
	}
	p := info.Disks[0].Path
	rel := strings.TrimSuffix(strings.TrimSpace(p[strings.IndexByte(p, ']')+1:]), ".vmdk") + "-flat.vmdk"
	return filepath.Join(e.sim.DatastoreDir(), filepath.FromSlash(rel))
}

// content is a disk's raw bytes from what the host holds in its data
// file: the simulator's import keeps an uploaded streamOptimized image as
// it is, where ESXi would expand it.
func content(t *testing.T, data []byte) []byte {
	t.Helper()
	if archive.SniffDiskFormat(data) != archive.DiskStreamOptimized {
		return data
	}
	sr, err := vmdk.NewStreamReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := sr.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// snapshots lists a VM's snapshots by name.
func (e *env) snapshots(t *testing.T, name string) []string {
	t.Helper()
	v, err := e.h.Find(ctxT(t), name)
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.h.Snapshots(ctxT(t), v)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

// watchPower records every power state of name seen until stop is called.
func (e *env) watchPower(t *testing.T, name string) (stop func() []string) {
	t.Helper()
	v, err := e.h.Find(ctxT(t), name)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if st, err := e.h.State(context.Background(), v); err == nil {
				mu.Lock()
				seen[st.Power] = true
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() []string {
		close(done)
		wg.Wait()
		var out []string
		for s := range seen {
			out = append(out, s)
		}
		return out
	}
}

// runOp runs fn as an operation and returns its notes.
func runOp(t *testing.T, fn func(ctx context.Context) error) ([]string, error) {
	t.Helper()
	r := &ops.Runner{Sandbox: ops.ModeSandbox{Mode: "unrestricted"}}
	res, err := r.Do(ctxT(t), &ops.Op{Name: "backup.test", Target: src, Run: func(ctx context.Context) (any, error) { return nil, fn(ctx) }})
	return res.Notes, err
}

func hasNote(notes []string, sub string) bool {
	for _, n := range notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// load reads a stored backup's metadata.
func (e *env) load(t *testing.T, entry storage.Entry) *loaded {
	t.Helper()
	l, err := loadArchive(ctxT(t), e.faulty, entry)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkNVRAM checks the restored VM's NVRAM file and its nvram setting.
func (e *env) checkNVRAM(t *testing.T, name string, want []byte) {
	t.Helper()
	info, err := vm.GetInfo(ctxT(t), e.c, name)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(filepath.Join(e.sim.DatastoreDir(), filepath.FromSlash(strings.TrimSpace(info.Path[strings.IndexByte(info.Path, ']')+1:]))))
	got, err := os.ReadFile(filepath.Join(dir, name+".nvram"))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("NVRAM of %s = %q, %v; want %q", name, got, err, want)
	}
	if info.ExtraConfig["nvram"] != name+".nvram" {
		t.Errorf("nvram setting = %q", info.ExtraConfig["nvram"])
	}
}
