//go:build chaos

package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

// TestPartitionDuringCreate cuts the network while a disk is being copied.
// The create fails at once, its rollback waits out the partition and
// removes what the host made, and a rerun succeeds.
func TestPartitionDuringCreate(t *testing.T) {
	sim := startSim(t, esxisim.Options{})
	p := startProxy(t, sim.Host())
	c := connect(t, sim, p.Addr())
	sim.SetMethodDelay("CopyVirtualDisk_Task", 1500*time.Millisecond) // the copy is in flight when the cut comes
	healed := make(chan struct{})
	go func() {
		defer close(healed)
		time.Sleep(500 * time.Millisecond)
		p.Cut()
		time.Sleep(2500 * time.Millisecond)
		p.Heal()
	}()
	const timeout = 20 * time.Second
	start := time.Now()
	_, err := vm.Create(testCtx(t, timeout), c, vm.CreateSpec{Name: "web01", Template: esxisim.TemplateName, RollbackTimeout: 15 * time.Second})
	elapsed := time.Since(start)
	<-healed
	var se *vm.StepError
	if !errors.As(err, &se) || !strings.HasPrefix(se.Step, "copying disk") || errkind.Of(err) != errkind.Connection {
		t.Fatalf("error %v (kind %v)", err, errkind.Of(err))
	}
	if elapsed > timeout || errors.Is(err, vm.ErrLeftovers) || !strings.Contains(err.Error(), "folder [datastore1] web01") {
		t.Fatalf("after %s: %v", elapsed, err)
	}
	t.Logf("failed after %s: %v", elapsed.Round(time.Millisecond), err)
	assertDatastore(t, sim)

	sim.SetMethodDelay("CopyVirtualDisk_Task", 0)
	if _, err := vm.Create(testCtx(t, timeout), c, vm.CreateSpec{Name: "web01", Template: esxisim.TemplateName}); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	assertDatastore(t, sim, "web01")
}

// TestDatastoreFullDuringClone lets the host answer NoDiskSpace on the disk
// copy of a clone, cold and from a snapshot of a running source.
func TestDatastoreFullDuringClone(t *testing.T) {
	sim := startSim(t, esxisim.Options{})
	c := connect(t, sim, sim.Host())
	ctx := testCtx(t, time.Minute)
	if _, err := vm.Create(ctx, c, vm.CreateSpec{Name: "src", Template: esxisim.TemplateName}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		running bool
		spec    vm.CloneSpec
	}{
		{"cold", false, vm.CloneSpec{Name: "copy1", Source: "src"}},
		{"snapshot", true, vm.CloneSpec{Name: "copy2", Source: "src", Snapshot: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.running {
				if _, err := vm.Power(ctx, c, "src", vm.PowerOn, vm.PowerOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			defer sim.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1)()
			_, err := vm.Clone(ctx, c, tt.spec)
			var se *vm.StepError
			if !errors.As(err, &se) || !errors.Is(err, client.ErrNoDiskSpace) || errkind.Of(err) != errkind.Refused || errors.Is(err, vm.ErrLeftovers) {
				t.Fatalf("error %v", err)
			}
			if !strings.Contains(err.Error(), "not enough space on the datastore") || len(se.Undone) == 0 {
				t.Fatalf("error %v", err)
			}
			assertDatastore(t, sim, "src")
			info, err := vm.GetInfo(ctx, c, "src")
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{true: vm.PoweredOn, false: vm.PoweredOff}[tt.running]; info.PowerState != want {
				t.Fatalf("source is %s, want %s", info.PowerState, want)
			}
		})
	}
}

// TestAPITimeout makes calls slower than the caller's deadline.
func TestAPITimeout(t *testing.T) {
	sim := startSim(t, esxisim.Options{})
	c := connect(t, sim, sim.Host())
	spec := vm.CreateSpec{Name: "web01", Template: esxisim.TemplateName}

	// A read before any change: the create stops within its deadline and
	// leaves nothing.
	sim.SetMethodDelay("RetrieveProperties", 3*time.Second)
	start := time.Now()
	_, err := vm.Create(testCtx(t, 500*time.Millisecond), c, spec)
	if errkind.Of(err) != errkind.Timeout || time.Since(start) > 2*time.Second {
		t.Fatalf("after %s: %v (kind %v)", time.Since(start), err, errkind.Of(err))
	}
	sim.SetMethodDelay("RetrieveProperties", 0)
	time.Sleep(3 * time.Second) // let the late read end
	assertDatastore(t, sim)

	// The create of the VM itself: the host carries on after the client
	// gave up. The error says the VM may still appear and keeps its disk
	// and folder for it; once the host has made it, the VM is whole and a
	// delete leaves nothing. Anything else left fails the test.
	sim.SetMethodDelay("CreateVM_Task", 2*time.Second)
	_, err = vm.Create(testCtx(t, time.Second), c, spec)
	if errkind.Of(err) != errkind.Timeout || !errors.Is(err, vm.ErrLeftovers) || !strings.Contains(err.Error(), "may still appear") ||
		!strings.Contains(err.Error(), "kept for the VM that may still appear") {
		t.Fatalf("error %v (kind %v)", err, errkind.Of(err))
	}
	t.Logf("create: %v", err)
	sim.SetMethodDelay("CreateVM_Task", 0)
	waitForVM(t, c, "web01")
	if err := vm.Delete(testCtx(t, time.Minute), c, "web01", true); err != nil {
		t.Fatalf("deleting the VM the late create made: %v", err)
	}
	assertDatastore(t, sim)
	if _, err := vm.Create(testCtx(t, time.Minute), c, spec); err != nil {
		t.Fatalf("rerun: %v", err)
	}
}

// waitForVM waits for the host to finish a create the client gave up on.
func waitForVM(t *testing.T, c *client.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := vm.Find(testCtx(t, time.Minute), c, name)
		if err == nil {
			return
		}
		if !errors.Is(err, vm.ErrNotFound) || time.Now().After(deadline) {
			t.Fatalf("the late create of %s: %v", name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// recorder is a Host that records, in order, the power changes it makes.
// Power runs under the VM's lock, so the record is the true order.
type recorder struct {
	vm.Host
	mu  sync.Mutex
	ops []vm.PowerOp
}

func (r *recorder) Power(ctx context.Context, ref vm.VMRef, op vm.PowerOp) error {
	if err := r.Host.Power(ctx, ref, op); err != nil {
		return err
	}
	r.mu.Lock()
	r.ops = append(r.ops, op)
	r.mu.Unlock()
	return nil
}

// TestConcurrentOperationsOnOneVM runs 20 power requests on one VM at once,
// on and off mixed: every request succeeds, and the changes the host saw
// alternate (never two power-ons in a row).
func TestConcurrentOperationsOnOneVM(t *testing.T) {
	sim := startSim(t, esxisim.Options{})
	c := connect(t, sim, sim.Host())
	ctx := testCtx(t, 2*time.Minute)
	if _, err := vm.Create(ctx, c, vm.CreateSpec{Name: "web01", Template: esxisim.TemplateName}); err != nil {
		t.Fatal(err)
	}
	pool := client.NewPool(c.Config(), 8, c)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	rec := &recorder{Host: vm.NewAPIHost(c)}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		op := []vm.PowerOp{vm.PowerOn, vm.PowerOff}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- pool.Do(ctx, func(c *client.Client) error {
				_, err := vm.Power(ctx, c, "web01", op, vm.PowerOptions{Host: rec})
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(rec.ops) == 0 || rec.ops[0] != vm.PowerOn {
		t.Fatalf("changes %v", rec.ops)
	}
	for i := 1; i < len(rec.ops); i++ {
		if rec.ops[i] == rec.ops[i-1] {
			t.Fatalf("two %s in a row: %v", rec.ops[i], rec.ops)
		}
	}
	info, err := vm.GetInfo(ctx, c, "web01")
	if err != nil {
		t.Fatal(err)
	}
	if want := rec.ops[len(rec.ops)-1].State(); info.PowerState != want {
		t.Fatalf("host says %s after %v", info.PowerState, rec.ops)
	}
	t.Logf("%d changes for 20 requests: %v", len(rec.ops), rec.ops)
}

// addDatastores adds n local datastores to the host, store00, store01, …,
// and returns their names and directories. (vcsim derives a VM's UUID from
// its .vmx path and its MAC from the last three characters of the UUID's
// text, where a host takes the UUID's last three bytes: with names such as
// ds00…ds19, two of the twenty VMs would get one MAC.)
func addDatastores(t *testing.T, c *client.Client, n int) (names, dirs []string) {
	t.Helper()
	ctx := testCtx(t, time.Minute)
	host := object.NewHostSystem(c.Vim(), esx.HostSystem.Reference())
	dss, err := host.ConfigManager().DatastoreSystem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		name, dir := fmt.Sprintf("store%02d", i), filepath.Join(t.TempDir(), "ds")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := dss.CreateLocalDatastore(ctx, name, dir); err != nil {
			t.Fatal(err)
		}
		names, dirs = append(names, name), append(dirs, dir)
	}
	return names, dirs
}

// assertDir fails unless dir holds exactly want.
func assertDir(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("%s holds %q, want %q", dir, got, want)
	}
}

// TestConcurrentOperationsOnManyVMs creates 20 VMs from one template,
// powers them on and off, and deletes them, each step for all 20 at once,
// with the race detector too: none is lost, each is whole and distinct,
// each ends in the state asked, and nothing is left. Each VM lives on a
// datastore of its own: vcsim updates a datastore's free space and VM
// list under its lock while its file operations read the datastore
// without it, a data race inside the simulator (a host has none) that
// VMs sharing a datastore trip under the race detector. All 20 copy the
// one template's disk from datastore1 at once.
func TestConcurrentOperationsOnManyVMs(t *testing.T) {
	sim := startSim(t, esxisim.Options{})
	c := connect(t, sim, sim.Host())
	ctx := testCtx(t, 5*time.Minute)
	pool := client.NewPool(c.Config(), 8, c)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	names := make([]string, 20)
	for i := range names {
		names[i] = fmt.Sprintf("node%02d", i)
	}
	datastores, dirs := addDatastores(t, c, len(names))
	// run runs f for every VM at once, through the pool's 8 sessions, and
	// returns how many calls of f were running at once at the most.
	run := func(f func(i int, c *client.Client) error) int32 {
		var busy, most atomic.Int32
		var wg sync.WaitGroup
		for i := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := pool.Do(ctx, func(c *client.Client) error {
					n := busy.Add(1)
					defer busy.Add(-1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					return f(i, c)
				})
				if err != nil {
					t.Errorf("%s: %v", names[i], err)
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		return most.Load()
	}
	results := make([]*vm.Result, len(names))
	creates := run(func(i int, c *client.Client) error {
		var err error
		results[i], err = vm.Create(ctx, c, vm.CreateSpec{Name: names[i], Template: esxisim.TemplateName, Datastore: datastores[i]})
		return err
	})
	uuids, macs := map[string]bool{}, map[string]bool{}
	for i, r := range results {
		if r == nil || r.Name != names[i] || uuids[r.UUID] || len(r.MACs) != 1 || macs[r.MACs[0]] {
			t.Fatalf("result %d: %+v", i, r)
		}
		uuids[r.UUID], macs[r.MACs[0]] = true, true
		assertDir(t, dirs[i], names[i])
	}
	assertDatastore(t, sim)
	for _, op := range []vm.PowerOp{vm.PowerOn, vm.PowerOff} {
		run(func(i int, c *client.Client) error {
			res, err := vm.Power(ctx, c, names[i], op, vm.PowerOptions{})
			if err == nil && (res.AlreadyInState || res.State != op.State()) {
				err = fmt.Errorf("%s: %+v", op, res)
			}
			return err
		})
		list, err := vm.List(ctx, c, vm.Filter{Name: "node*", PowerState: op.State()})
		if err != nil || len(list) != len(names) {
			t.Fatalf("after %s, %d VMs are %s (%v)", op, len(list), op.State(), err)
		}
	}
	deletes := run(func(i int, c *client.Client) error { return vm.Delete(ctx, c, names[i], true) })
	for _, dir := range dirs {
		assertDir(t, dir)
	}
	assertDatastore(t, sim)
	if creates < 2 || deletes < 2 {
		t.Fatalf("at most %d creates and %d deletes ran at once", creates, deletes)
	}
	t.Logf("up to %d creates and %d deletes at once", creates, deletes)
}

// TestInvalidTemplates refuses templates that cannot be copied, before
// anything is made.
func TestInvalidTemplates(t *testing.T) {
	sim := startSim(t, esxisim.Options{ExtraVMs: 7}) // vm-0003 runs, vm-0007 is suspended
	c := connect(t, sim, sim.Host())
	ctx := testCtx(t, 2*time.Minute)
	nodisk := &vm.NewVM{Name: "nodisk", Path: "[datastore1] nodisk/nodisk.vmx", Datastore: "datastore1",
		Hardware: vm.Hardware{GuestID: "otherLinux64Guest", CPU: 1, MemoryMB: 256}}
	if _, err := vm.NewAPIHost(c).CreateVM(ctx, nodisk); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec vm.CreateSpec
		want error
	}{
		{"missing", vm.CreateSpec{Name: "a", Template: "no-such-template"}, vm.ErrNotFound},
		{"powered on", vm.CreateSpec{Name: "a", Template: "vm-0003"}, vm.ErrTemplatePoweredOn},
		{"suspended", vm.CreateSpec{Name: "a", Template: "vm-0007"}, vm.ErrTemplatePoweredOn},
		{"no disks", vm.CreateSpec{Name: "a", Template: "nodisk"}, vm.ErrNoDisks},
		{"name collision", vm.CreateSpec{Name: "vm-0001", Template: esxisim.TemplateName}, vm.ErrNameTaken},
		{"unknown datastore", vm.CreateSpec{Name: "a", Template: esxisim.TemplateName, Datastore: "[nope]"}, vm.ErrDatastoreNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := vm.Create(ctx, c, tt.spec); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
	assertDatastore(t, sim, "nodisk", "vm-0001", "vm-0002", "vm-0003", "vm-0004", "vm-0005", "vm-0006", "vm-0007")
}
