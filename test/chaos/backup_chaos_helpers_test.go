//go:build chaos

package chaos

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/target/targettest"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// bkEnv is a simulated host (with a big enough disk to take a while), a
// catalog file, a local target directory and a lock directory.
type bkEnv struct {
	sim     *esxisim.Simulator
	dir     string // target root
	catalog string
	locks   string
}

func bkStart(t *testing.T, opts esxisim.Options) *bkEnv {
	t.Helper()
	if opts.TemplateDiskSize == 0 {
		opts.TemplateDiskSize = 32 << 20
	}
	sim := simtest.Start(t, opts)
	state := t.TempDir()
	e := &bkEnv{sim: sim, dir: t.TempDir(), catalog: filepath.Join(state, "catalog.db"), locks: state}
	return e
}

// bkConnect logs in through addr (the simulator, or a proxy in front).
func (e *bkEnv) bkConnect(t *testing.T, addr string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Connect(ctx, client.Config{Host: addr, User: e.sim.User(), Password: e.sim.Password(), Thumbprint: e.sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return c
}

// bkDeps builds the engine's dependencies over a wrapped local target.
func (e *bkEnv) bkDeps(t *testing.T, c *client.Client) (backup.Deps, *targettest.Faulty) {
	t.Helper()
	l, err := target.NewLocal("local", e.dir)
	if err != nil {
		t.Fatal(err)
	}
	f := targettest.NewFaulty(l)
	return backup.Deps{
		Client: c, Catalog: backup.FileCatalog{Path: e.catalog}, Targets: target.Single(f), LockDir: e.locks,
		Compression: config.Compression{Algorithm: "zstd", Level: 3, Workers: 2},
	}, f
}

func (e *bkEnv) bkEntries(t *testing.T) []storage.Entry {
	t.Helper()
	list, err := backup.FileCatalog{Path: e.catalog}.ListBackups("")
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// bkFiles lists the files under the target, relative.
func (e *bkEnv) bkFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	_ = filepath.Walk(e.dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(e.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// bkAssertClean checks that nothing is listed and nothing is stored.
func (e *bkEnv) bkAssertClean(t *testing.T) {
	t.Helper()
	if list := e.bkEntries(t); len(list) != 0 {
		t.Errorf("the catalog lists %d backups", len(list))
	}
	if files := e.bkFiles(t); len(files) != 0 {
		t.Errorf("files left on the target: %v", files)
	}
}

// bkDatastoreFiles maps each file of the simulator's datastore to its
// SHA-256.
func (e *bkEnv) bkDatastoreFiles(t *testing.T) map[string]string {
	t.Helper()
	root := e.sim.DatastoreDir()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = fmt.Sprintf("%x", sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// bkWaitDatastore waits for the datastore to hold exactly the files of
// want, byte for byte: the host removes a VM whose import was aborted in
// the background, its folder last. What is still different at the
// deadline fails the test.
func (e *bkEnv) bkWaitDatastore(t *testing.T, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := e.bkDatastoreFiles(t)
		if reflect.DeepEqual(got, want) {
			return
		}
		if time.Now().After(deadline) {
			var diff []string
			for f, sum := range got {
				if want[f] != sum {
					diff = append(diff, "added or changed: "+f)
				}
			}
			for f := range want {
				if _, ok := got[f]; !ok {
					diff = append(diff, "removed: "+f)
				}
			}
			sort.Strings(diff)
			t.Fatalf("the datastore changed:\n%s", strings.Join(diff, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// bkInfo describes a VM as the host does.
func bkInfo(t *testing.T, c *client.Client, name string) *vm.Info {
	t.Helper()
	info, err := vm.GetInfo(bkCtx(t), c, name)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func bkCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// bkChildParams tell a child process what backup to run.
type bkChildParams struct {
	Host, User, Password, Thumbprint string
	Dir, Catalog, Locks              string
	WriteDelay                       time.Duration
}

const bkChildEnv = "CESO_BACKUP_CHAOS_CHILD"

// bkSpawn starts this test binary as a child that backs up the template.
func (e *bkEnv) bkSpawn(t *testing.T, delay time.Duration) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	p, _ := json.Marshal(bkChildParams{Host: e.sim.Host(), User: e.sim.User(), Password: e.sim.Password(),
		Thumbprint: e.sim.Thumbprint(), Dir: e.dir, Catalog: e.catalog, Locks: e.locks, WriteDelay: delay})
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackupChaosChild$")
	cmd.Env = append(os.Environ(), bkChildEnv+"="+string(p))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewScanner(out)
}

func bkHasPartialData(root string) bool {
	found := false
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.Contains(p, archive.TempSuffix) && info.Size() > 0 {
			found = true
		}
		return nil
	})
	return found
}

// bkCutProxy forwards TCP to the simulator and cuts any connection once it
// has carried more than a limit in one direction: the transfer of a disk
// breaks, the small SOAP calls do not.
type bkCutProxy struct {
	ln      net.Listener
	target  string
	downCut atomic.Int64 // server → client bytes before a cut; 0: never
	upCut   atomic.Int64 // client → server
	cuts    atomic.Int64
	wg      sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func bkStartCutProxy(t *testing.T, target string) *bkCutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &bkCutProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close() // idle keep-alive connections would hold the pipes
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *bkCutProxy) serve() {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(out, in, &p.upCut)
		go p.pipe(in, out, &p.downCut)
	}
}

func (p *bkCutProxy) pipe(dst, src net.Conn, limit *atomic.Int64) {
	defer p.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := src.Read(buf)
		if m > 0 {
			n += int64(m)
			if l := limit.Load(); l > 0 && n > l {
				p.cuts.Add(1)
				return // both sides see the connection drop mid-stream
			}
			if _, werr := dst.Write(buf[:m]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
