package vm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func TestLockVMs(t *testing.T) {
	ctx := context.Background()
	unlock, err := lockVMs(ctx, "h1", nil, "a")
	if err != nil {
		t.Fatal(err)
	}
	// The same VM on another host is another lock.
	other, err := lockVMs(ctx, "h2", nil, "a")
	if err != nil {
		t.Fatal(err)
	}
	other()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := lockVMs(short, "h1", []string{"a"}); errkind.Of(err) != errkind.Timeout || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("second lock of a held VM: %v", err)
	}
	unlock()
	unlock() // releasing twice is harmless
	// A free lock is taken under an ended context: a command out of time
	// is not told it waited for another operation.
	ended, endNow := context.WithCancel(ctx)
	endNow()
	free, err := lockVMs(ended, "h1", nil, "a")
	if err != nil {
		t.Fatalf("a free lock under an ended context: %v", err)
	}
	free()
	// Shared holds coexist; an exclusive one waits for them.
	s1, err := lockVMs(ctx, "h1", []string{"t"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := lockVMs(ctx, "h1", []string{"t"}, "y")
	if err != nil {
		t.Fatal(err)
	}
	got, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		u, err := lockVMs(ctx, "h1", nil, "t")
		if err == nil {
			close(got)
			u()
		}
	}()
	s1()
	select {
	case <-got:
		t.Fatal("exclusive lock taken while shared")
	case <-time.After(50 * time.Millisecond):
	}
	s2()
	<-got
	<-done
	if n := vmLocks.size(); n != 0 {
		t.Fatalf("%d lock entries left", n)
	}
}

// TestConcurrentPowerOn powers one VM on from 20 goroutines at once: it is
// powered on exactly once, the others find it on.
func TestConcurrentPowerOn(t *testing.T) {
	_, c := startHost(t, esxisim.Options{})
	createWeb(t, c, false)
	var did, already atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Power(testCtx(t), c, "web01", PowerOn, PowerOptions{})
			switch {
			case err != nil:
				t.Error(err)
			case res.AlreadyInState:
				already.Add(1)
			default:
				did.Add(1)
			}
		}()
	}
	wg.Wait()
	if did.Load() != 1 || already.Load() != 19 {
		t.Fatalf("powered on %d times, already on %d times", did.Load(), already.Load())
	}
}

// TestConcurrentCreateSameName creates one name from 5 goroutines: one
// succeeds, the others are told the name is taken, nothing else is left.
func TestConcurrentCreateSameName(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Create(testCtx(t), c, CreateSpec{Name: "dup", Template: esxisim.TemplateName})
			switch {
			case err == nil:
				ok.Add(1)
			case !errors.Is(err, ErrNameTaken):
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d creates succeeded", ok.Load())
	}
	assertOnlyTemplate(t, sim, "dup")
}

// TestTaskInProgress refuses writes on a VM while another client's task runs
// on it. simulator.TaskDelay is process-wide: this test must not run in
// parallel with others.
func TestTaskInProgress(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, false)
	simulator.TaskDelay.MethodDelay = map[string]int{"PowerOn": 1500, "LockHandoff": 0}
	t.Cleanup(func() { simulator.TaskDelay.MethodDelay = nil })
	ref, err := Find(ctx, c, "web01")
	if err != nil {
		t.Fatal(err)
	}
	task, err := object.NewVirtualMachine(c.Vim(), ref).PowerOn(ctx) // another client's power-on
	if err != nil {
		t.Fatal(err)
	}
	_, err = Power(ctx, c, "web01", PowerOff, PowerOptions{})
	if err == nil {
		// The off request found the VM still off: nothing to do. Power on
		// instead, which must see the running task.
		_, err = Power(ctx, c, "web01", PowerOn, PowerOptions{})
	}
	if !errors.Is(err, client.ErrTaskInProgress) || !strings.Contains(err.Error(), "task PowerOn") || errkind.Of(err) != errkind.Refused {
		t.Fatalf("error %v", err)
	}
	if err := Delete(ctx, c, "web01", true); !errors.Is(err, client.ErrTaskInProgress) {
		t.Fatalf("delete: %v", err)
	}
	if _, err := Clone(ctx, c, CloneSpec{Name: "web02", Source: "web01"}); !errors.Is(err, client.ErrTaskInProgress) {
		t.Fatalf("clone: %v", err)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	simulator.TaskDelay.MethodDelay = nil
	// A TaskInProgress fault from the host is classified and names the task.
	busy := types.ManagedObjectReference{Type: "Task", Value: "haTask-12-vim.VirtualMachine.powerOff-99"}
	defer sim.AddFault(esxisim.FaultRule{Method: "PowerOffVM_Task", Fault: &types.TaskInProgress{Task: busy}, Count: 1})()
	_, err = Power(ctx, c, "web01", PowerOff, PowerOptions{})
	if !errors.Is(err, client.ErrTaskInProgress) || !strings.Contains(err.Error(), busy.Value) {
		t.Fatalf("fault: %v", err)
	}
}
