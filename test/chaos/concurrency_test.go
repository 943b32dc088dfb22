//go:build chaos

package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
)

// The concurrency scenarios: many requests on one VM, and many VMs
// created, powered and deleted at once.

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
