//go:build chaos

package chaos

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/target/targettest"
	"github.com/ceso/ceso/pkg/backup/vmlock"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// The backup scenarios: a backup process killed mid-transfer, a target
// that fills up, the connection cut during an export and during a restore,
// a lease nobody keeps alive, a flipped byte in a stored file, and two
// backups of one VM from two processes. Helpers are prefixed with bk.

const bkVM = esxisim.TemplateName

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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := esxisim.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
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

// TestBackupChaosChild is the child of the multi-process scenarios: it
// runs one backup and prints "RESULT ok ID" or "RESULT busy|error MSG".
func TestBackupChaosChild(t *testing.T) {
	raw := os.Getenv(bkChildEnv)
	if raw == "" {
		t.Skip("run by the backup chaos scenarios")
	}
	var p bkChildParams
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := client.Connect(ctx, client.Config{Host: p.Host, User: p.User, Password: p.Password, Thumbprint: p.Thumbprint})
	if err != nil {
		t.Fatal(err)
	}
	l, err := target.NewLocal("local", p.Dir)
	if err != nil {
		t.Fatal(err)
	}
	f := targettest.NewFaulty(l)
	f.WriteDelay(p.WriteDelay)
	d := backup.Deps{Client: c, Catalog: backup.FileCatalog{Path: p.Catalog}, Targets: target.Single(f), LockDir: p.Locks,
		Compression: config.Compression{Algorithm: "zstd", Level: 3, Workers: 1}}
	fmt.Println("STARTED")
	entry, err := backup.Create(ctx, d, backup.CreateRequest{VM: bkVM})
	switch {
	case err == nil:
		fmt.Println("RESULT ok", entry.ID)
	case errors.Is(err, vmlock.ErrBusy):
		fmt.Println("RESULT busy", err)
	default:
		fmt.Println("RESULT error", err)
	}
}

// TestBackupKilledMidTransfer kills a backup process while it writes: the
// catalog lists nothing, only temporary files remain, and the next backup
// operation reports and removes them.
func TestBackupKilledMidTransfer(t *testing.T) {
	e := bkStart(t, esxisim.Options{})
	cmd, _ := e.bkSpawn(t, 200*time.Millisecond)
	deadline := time.Now().Add(time.Minute)
	for !bkHasPartialData(e.dir) {
		if time.Now().After(deadline) {
			t.Fatal("the child never started writing")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if list := e.bkEntries(t); len(list) != 0 {
		t.Fatalf("the catalog lists %d backups after the kill", len(list))
	}
	for _, f := range e.bkFiles(t) {
		if !strings.Contains(f, archive.TempSuffix) {
			t.Errorf("a file without the temporary suffix survived the kill: %s", f)
		}
	}
	d, _ := e.bkDeps(t, e.bkConnect(t, e.sim.Host()))
	rep, err := backup.Housekeep(bkCtx(t), d)
	if err != nil || len(rep.Cleaned) != 1 || len(rep.Cleaned[0].Removed) != 1 {
		t.Fatalf("Housekeep = %+v, %v", rep, err)
	}
	if files := e.bkFiles(t); len(files) != 0 {
		t.Errorf("left after cleaning: %v", files)
	}
	// The kernel released the dead process's lock: a new backup runs.
	entry, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Verify(bkCtx(t), d, entry.ID); err != nil {
		t.Fatal(err)
	}
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

// TestBackupsOfOneVMFromTwoProcesses starts two backup processes of the
// same VM: one runs, the other is refused at once.
func TestBackupsOfOneVMFromTwoProcesses(t *testing.T) {
	e := bkStart(t, esxisim.Options{})
	var results []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		_, out := e.bkSpawn(t, 20*time.Millisecond)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for out.Scan() {
				if line := out.Text(); strings.HasPrefix(line, "RESULT ") {
					mu.Lock()
					results = append(results, line)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	joined := strings.Join(results, "\n")
	if len(results) != 2 || strings.Count(joined, "RESULT ok") != 1 || strings.Count(joined, "RESULT busy") != 1 {
		t.Fatalf("results:\n%s", joined)
	}
	if list := e.bkEntries(t); len(list) != 1 {
		t.Errorf("%d entries", len(list))
	}
}

// TestBackupTargetFull fills the target during the transfer: the backup
// fails saying so, leaves nothing, and a later backup succeeds.
func TestBackupTargetFull(t *testing.T) {
	e := bkStart(t, esxisim.Options{})
	d, f := e.bkDeps(t, e.bkConnect(t, e.sim.Host()))
	f.FullAfter(5 << 20)
	_, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if !errors.Is(err, target.ErrFull) || !strings.Contains(err.Error(), "--target") {
		t.Fatalf("err = %v, want ErrFull with advice", err)
	}
	e.bkAssertClean(t)
	f.FullAfter(-1)
	if _, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM}); err != nil {
		t.Fatal(err)
	}
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

// TestBackupConnectionCutMidExport cuts the connection that carries the
// disk: the backup fails, nothing is listed or left, the VM is untouched.
func TestBackupConnectionCutMidExport(t *testing.T) {
	e := bkStart(t, esxisim.Options{})
	p := bkStartCutProxy(t, e.sim.Host())
	p.downCut.Store(4 << 20)
	d, _ := e.bkDeps(t, e.bkConnect(t, p.ln.Addr().String()))
	_, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if err == nil || p.cuts.Load() == 0 {
		t.Fatalf("err = %v after %d cuts", err, p.cuts.Load())
	}
	e.bkAssertClean(t)
	p.downCut.Store(0)
	entry, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if err != nil {
		t.Fatalf("after the link healed: %v", err)
	}
	// The restore's upload is cut too: the partial VM must go.
	p.upCut.Store(4 << 20)
	_, err = backup.Restore(bkCtx(t), d, backup.RestoreRequest{ID: entry.ID, AsNew: "restored"})
	if err == nil {
		t.Fatal("the restore survived the cut")
	}
	p.upCut.Store(0)
	if _, err := vm.Find(bkCtx(t), e.bkConnect(t, e.sim.Host()), "restored"); !errors.Is(err, vm.ErrNotFound) {
		t.Errorf("the partial VM is left: %v", err)
	}
}

// TestBackupLeaseWithoutProgress makes the host drop every progress report
// with a lease timeout far shorter than the transfer: the lease expires,
// the backup fails cleanly and says why.
func TestBackupLeaseWithoutProgress(t *testing.T) {
	e := bkStart(t, esxisim.Options{LeaseTimeout: time.Second})
	e.sim.AddFault(esxisim.FaultRule{Method: "HttpNfcLeaseProgress", Fault: &types.SystemError{Reason: "dropped"}})
	d, f := e.bkDeps(t, e.bkConnect(t, e.sim.Host()))
	f.WriteDelay(100 * time.Millisecond)
	_, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if err == nil || !strings.Contains(err.Error(), "lease progress reports failed") {
		t.Fatalf("err = %v", err)
	}
	e.bkAssertClean(t)
}

// TestBackupFlippedByte flips one byte of each stored file in turn: verify
// fails naming the file, and restore refuses without leaving a VM.
func TestBackupFlippedByte(t *testing.T) {
	e := bkStart(t, esxisim.Options{})
	c := e.bkConnect(t, e.sim.Host())
	d, _ := e.bkDeps(t, c)
	entry, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(e.dir, archive.Dir(bkVM, entry.ID))
	for _, name := range []string{bkVM + "-disk-0.vmdk.zst", bkVM + ".ovf", archive.ConfigName, archive.ManifestName} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			orig, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			flipped := append([]byte(nil), orig...)
			flipped[len(flipped)*2/3] ^= 0x10
			if err := os.WriteFile(p, flipped, 0o600); err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(p, orig, 0o600)
			res, err := backup.Verify(bkCtx(t), d, entry.ID)
			if !errors.Is(err, backup.ErrCorrupt) || res.OK || !strings.Contains(res.Detail+res.File, strings.TrimSuffix(name, archive.ZstdSuffix)) {
				t.Fatalf("Verify = %+v, %v", res, err)
			}
			_, err = backup.Restore(bkCtx(t), d, backup.RestoreRequest{ID: entry.ID, AsNew: "restored"})
			if !errors.Is(err, backup.ErrCorrupt) {
				t.Fatalf("Restore = %v, want ErrCorrupt", err)
			}
			if _, err := vm.Find(bkCtx(t), c, "restored"); !errors.Is(err, vm.ErrNotFound) {
				t.Errorf("a VM was left: %v", err)
			}
		})
	}
	// Whole again, the backup verifies and restores.
	if _, err := backup.Verify(bkCtx(t), d, entry.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(bkCtx(t), d, backup.RestoreRequest{ID: entry.ID, AsNew: "restored"}); err != nil {
		t.Fatal(err)
	}
}
