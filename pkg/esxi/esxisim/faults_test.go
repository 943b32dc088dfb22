package esxisim

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func powerOn(ctx context.Context, vm *object.VirtualMachine) error {
	t, err := vm.PowerOn(ctx)
	if err != nil {
		return err
	}
	return t.Wait(ctx)
}

func powerOff(ctx context.Context, vm *object.VirtualMachine) error {
	t, err := vm.PowerOff(ctx)
	if err != nil {
		return err
	}
	return t.Wait(ctx)
}

func TestAddFaultCountSkipAndObject(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	other, err := createVM(t, s, c, spec(t, s, "other"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := vmByName(t, c, TemplateName)
	remove := s.AddFault(FaultRule{Method: "PowerOnVM_Task", ObjectName: "other", Fault: new(types.InsufficientResourcesFault), Count: 1, Skip: 1})
	defer remove()

	steps := []struct {
		name    string
		vm      *object.VirtualMachine
		wantErr bool
	}{
		{"other object does not match", tmpl, false},
		{"first match is skipped", other, false},
		{"second match fires", other, true},
		{"count is spent", other, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_ = powerOff(ctx, st.vm) // ignore InvalidPowerState when already off
			err := powerOn(ctx, st.vm)
			if st.wantErr != fault.Is(err, &types.InsufficientResourcesFault{}) {
				t.Fatalf("PowerOn: err = %v, want fault %v", err, st.wantErr)
			}
		})
	}
}

func TestAddFaultRemoveAndDelayOnly(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	remove := s.AddFault(FaultRule{Method: "*", Fault: new(types.NotAuthenticated)})
	if _, err := vm.PowerState(ctx); !fault.Is(err, &types.NotAuthenticated{}) {
		t.Fatalf("with rule: err = %v, want NotAuthenticated", err)
	}
	remove()
	remove() // twice is harmless
	if _, err := vm.PowerState(ctx); err != nil {
		t.Fatalf("after remove: %v", err)
	}
	defer s.AddFault(FaultRule{Method: "RetrievePropertiesEx", Delay: 150 * time.Millisecond})()
	begin := time.Now()
	if _, err := vm.PowerState(ctx); err != nil {
		t.Fatalf("delay-only rule: %v", err)
	}
	if d := time.Since(begin); d < 150*time.Millisecond {
		t.Errorf("call took %v, want >= 150ms", d)
	}
}

func TestFailTaskEndsTheTaskInError(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	dc := object.NewDatacenter(c.Client, esx.Datacenter.Self)
	vdm := object.NewVirtualDiskManager(c.Client)
	src := "[datastore1] " + TemplateName + "/" + TemplateName + ".vmdk"
	remove := s.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1)
	defer remove()

	tk, err := vdm.CopyVirtualDisk(ctx, src, dc, "[datastore1] copy.vmdk", dc, nil, false)
	if err != nil {
		t.Fatalf("the call itself must succeed, got %v", err)
	}
	err = tk.Wait(ctx)
	var nds *types.NoDiskSpace
	if _, ok := fault.As(err, &nds); !ok {
		t.Fatalf("task error = %v, want NoDiskSpace", err)
	}
	var te task.Error
	if !asTaskError(err, &te) || !strings.Contains(te.LocalizedMessage, "datastore1") {
		t.Errorf("task message = %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.DatastoreDir(), "copy-flat.vmdk")); !os.IsNotExist(err) {
		t.Errorf("a failed copy left a file: %v", err)
	}
	// count 1: the next copy works
	tk, err = vdm.CopyVirtualDisk(ctx, src, dc, "[datastore1] copy.vmdk", dc, nil, false)
	if err == nil {
		err = tk.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("second copy: %v", err)
	}
}

func TestFailTaskOnCreateVM(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	defer s.FailTask("CreateVM_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 0)()
	for range 2 {
		if _, err := createVM(t, s, c, spec(t, s, "full")); !fault.Is(err, &types.NoDiskSpace{}) {
			t.Fatalf("CreateVM: err = %v, want NoDiskSpace", err)
		}
	}
	if n := len(inventory(t, s)); n != 1 {
		t.Errorf("%d VMs, want 1", n)
	}
}

func TestFailTaskOnPlainMethodFaultsTheCall(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	dc := object.NewDatacenter(c.Client, esx.Datacenter.Self)
	defer s.FailTask("MakeDirectory", &types.NoDiskSpace{Datastore: "datastore1"}, 0)()
	err := object.NewFileManager(c.Client).MakeDirectory(context.Background(), "[datastore1] d", dc, false)
	if !fault.Is(err, &types.NoDiskSpace{}) {
		t.Fatalf("err = %v, want NoDiskSpace", err)
	}
}

func TestMethodDelayIsPerSimulator(t *testing.T) {
	slow := startSim(t, Options{})
	fast := startSim(t, Options{})
	// The delay is far above what a call costs even on a loaded machine,
	// so the comparison below is not a timing judgement.
	const delay = 2 * time.Second
	slow.SetMethodDelay("*", delay)
	var wg sync.WaitGroup
	took := map[string]time.Duration{}
	var mu sync.Mutex
	for name, s := range map[string]*Simulator{"slow": slow, "fast": fast} {
		c := connect(t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			begin := time.Now()
			if _, err := vmByName(t, c, TemplateName).PowerState(context.Background()); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			mu.Lock()
			took[name] = time.Since(begin)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if took["slow"] < delay || took["fast"] >= delay {
		t.Errorf("slow took %v, fast took %v", took["slow"], took["fast"])
	}
	slow.SetMethodDelay("*", 0)
	begin := time.Now()
	_ = connect(t, slow)
	if d := time.Since(begin); d >= delay {
		t.Errorf("delay not removed: login took %v", d)
	}
}

func TestRequestsCountsSOAPCalls(t *testing.T) {
	s := startSim(t, Options{})
	before := s.Requests()
	c := connect(t, s)
	vm := object.NewVirtualMachine(c.Client, types.ManagedObjectReference{Type: "VirtualMachine", Value: "1"})
	mid := s.Requests()
	_, _ = vm.PowerState(context.Background())
	after := s.Requests()
	if mid <= before {
		t.Errorf("login made no requests: %d -> %d", before, mid)
	}
	if after != mid+1 {
		t.Errorf("one property read counted %d requests", after-mid)
	}
}

// TestCloseEndsInjectedDelays: a call waiting out SetMethodDelay does not
// keep Close (and so a test's cleanup) waiting for the rest of the delay.
func TestCloseEndsInjectedDelays(t *testing.T) {
	s, err := Start(context.Background(), Options{TemplateDiskSize: testDiskSize})
	if err != nil {
		t.Fatal(err)
	}
	c, err := dial(context.Background(), s, s.User(), s.Password())
	if err != nil {
		t.Fatal(err)
	}
	s.SetMethodDelay("RetrievePropertiesEx", time.Hour)
	s.SetMethodDelay("RetrieveProperties", time.Hour)
	before := s.Requests()
	called := make(chan struct{})
	go func() {
		defer close(called)
		var h mo.HostSystem
		_ = c.PropertyCollector().RetrieveOne(context.Background(), esx.HostSystem.Reference(), []string{"name"}, &h)
	}()
	for s.Requests() == before { // the call is in the delay
		time.Sleep(time.Millisecond)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Close waited out an hour's delay")
	}
	<-called
}
