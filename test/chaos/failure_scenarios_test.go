//go:build chaos

package chaos

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
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
