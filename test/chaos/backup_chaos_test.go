//go:build chaos

package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// TestBackupConnectionCutMidExport cuts the connection that carries the
// disk: the backup fails, nothing is listed or left, the VM is untouched.
// Then it cuts the upload of a restore: the restore fails, no VM and no
// file is left on the datastore, and the source VM is untouched.
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
	// The restore's upload is cut too: the restore fails, and once the
	// host has removed the partial VM the datastore holds exactly what it
	// held before, and the source VM is as it was.
	direct := e.bkConnect(t, e.sim.Host())
	before, source := e.bkDatastoreFiles(t), bkInfo(t, direct, bkVM)
	cuts := p.cuts.Load()
	p.upCut.Store(4 << 20)
	_, err = backup.Restore(bkCtx(t), d, backup.RestoreRequest{ID: entry.ID, AsNew: "restored"})
	p.upCut.Store(0)
	if err == nil {
		t.Fatal("the restore survived the cut")
	}
	if p.cuts.Load() == cuts {
		t.Fatalf("the restore failed without a cut: %v", err)
	}
	t.Logf("restore: %v", err)
	if _, err := vm.Find(bkCtx(t), direct, "restored"); !errors.Is(err, vm.ErrNotFound) {
		t.Errorf("the partial VM is left: %v", err)
	}
	e.bkWaitDatastore(t, before)
	if after := bkInfo(t, direct, bkVM); !reflect.DeepEqual(after, source) {
		t.Errorf("the source VM changed:\n%+v\nwas\n%+v", after, source)
	}
}

// TestBackupLeaseWithoutProgress makes the host drop every progress report
// with a lease timeout far shorter than the transfer: the lease expires,
// the backup fails cleanly and says why.
func TestBackupLeaseWithoutProgress(t *testing.T) {
	e := bkStart(t, esxisim.Options{LeaseTimeout: time.Second})
	e.sim.AddFault(esxisim.FaultRule{Method: "HttpNfcLeaseProgress", Fault: &types.SystemError{Reason: "dropped"}})
	d, f := e.bkDeps(t, e.bkConnect(t, e.sim.Host()))
	f.WriteDelay(20 * time.Millisecond) // about 120 writes: the transfer outlasts the lease
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
	if err := os.WriteFile(filepath.Join(e.sim.DatastoreDir(), bkVM, bkVM+".nvram"), []byte("firmware variables"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := e.bkConnect(t, e.sim.Host())
	d, _ := e.bkDeps(t, c)
	entry, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(e.dir, archive.Dir(bkVM, entry.ID))
	for _, name := range []string{bkVM + "-disk-0.vmdk.zst", bkVM + ".ovf", bkVM + ".nvram", archive.ConfigName, archive.ManifestName} {
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
