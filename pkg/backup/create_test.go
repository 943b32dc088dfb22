package backup

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/vmlock"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/rs/zerolog"
	"github.com/vmware/govmomi/vim25/types"
)

func TestCreateColdBackup(t *testing.T) {
	tests := []struct {
		name  string
		tools bool
		note  string
	}{
		{"guest shutdown", true, "shut down"},
		{"no tools: hard power-off", false, "without a guest shutdown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, esxisim.Options{})
			e.power(t, src, vm.PoweredOn, tt.tools)
			var log syncBuffer
			e.d.Logger = zerolog.New(&log)
			entry, err := Create(ctxT(t), e.d, CreateRequest{VM: src, PowerOff: true, ShutdownTimeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if entry.Metadata[metaColdBackup] != "true" {
				t.Errorf("metadata = %v", entry.Metadata)
			}
			if e.powerState(t, src) != vm.PoweredOn {
				t.Error("the VM was not powered on again")
			}
			joined := log.String()
			if !strings.Contains(joined, tt.note) || !strings.Contains(joined, "powered on again") {
				t.Errorf("notes:\n%s", joined)
			}
		})
	}
}

func TestCreatePowersOnAgainAfterFailure(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	e.power(t, src, vm.PoweredOn, true)
	e.sim.AddFault(esxisim.FaultRule{Method: "ExportVm", Fault: &types.SystemError{Reason: "export broke"}})
	_, err := Create(ctxT(t), e.d, CreateRequest{VM: src, PowerOff: true})
	if err == nil {
		t.Fatal("the backup succeeded")
	}
	if e.powerState(t, src) != vm.PoweredOn {
		t.Error("the VM was left powered off after the failure")
	}
	if list, _ := e.catalog.ListBackups(""); len(list) != 0 || len(e.tree(t)) != 0 {
		t.Errorf("left %d entries and files %v", len(list), e.tree(t))
	}
}

func TestCreateRefusesSuspendedVM(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	e.power(t, src, vm.PoweredOn, false)
	v, _ := e.h.Find(ctxT(t), src)
	task, err := v.Suspend(ctxT(t))
	if err == nil {
		err = task.Wait(ctxT(t))
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(ctxT(t), e.d, CreateRequest{VM: src, PowerOff: true})
	if !errors.Is(err, ErrSuspended) {
		t.Fatalf("err = %v, want ErrSuspended", err)
	}
}

func TestCreateIsRefusedWhileTheVMIsLocked(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	l, err := vmlock.TryAcquire(e.d.LockDir, archive.SafeName(src), vmlock.Exclusive, "backup of "+src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(ctxT(t), e.d, CreateRequest{VM: src})
	if !errors.Is(err, vmlock.ErrBusy) || !strings.Contains(err.Error(), "backup of "+src) {
		t.Fatalf("err = %v, want ErrBusy naming the holder", err)
	}
	_ = l.Release()
	e.backup(t, CreateRequest{})
}

// TestTwoBackupsOfOneVM runs two backups of the VM at once: exactly one
// is refused, the other succeeds.
func TestTwoBackupsOfOneVM(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	e.faulty.WriteDelay(2 * time.Millisecond) // keep the first one busy
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Create(ctxT(t), e.d, CreateRequest{VM: src})
		}()
	}
	wg.Wait()
	busy, ok := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, vmlock.ErrBusy):
			busy++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || busy != 1 {
		t.Fatalf("%d succeeded and %d were refused, want 1 and 1: %v", ok, busy, errs)
	}
	if list, _ := e.catalog.ListBackups(src); len(list) != 1 {
		t.Errorf("%d entries", len(list))
	}
}

func TestCreateFailures(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*env)
		want   error
	}{
		{"target full", func(e *env) { e.faulty.FullAfter(1 << 20) }, target.ErrFull},
		{"rename into place fails", func(e *env) { e.faulty.Fail("rename", errors.New("rename broke"), 0, 0) }, nil},
		{"metadata write fails", func(e *env) { e.faulty.Fail("create", errors.New("create broke"), 1, 1) }, nil},
		{"descriptor refused", func(e *env) {
			e.sim.AddFault(esxisim.FaultRule{Method: "CreateDescriptor", Fault: &types.SystemError{Reason: "no descriptor"}})
		}, nil},
		{"lease completion refused", func(e *env) {
			e.sim.AddFault(esxisim.FaultRule{Method: "HttpNfcLeaseComplete", Fault: &types.SystemError{Reason: "no"}})
		}, nil},
		{"no such VM", func(*env) {}, vm.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, esxisim.Options{})
			tt.inject(e)
			name := src
			if tt.want == vm.ErrNotFound {
				name = "nope"
			}
			_, err := Create(ctxT(t), e.d, CreateRequest{VM: name})
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if list, _ := e.catalog.ListBackups(""); len(list) != 0 {
				t.Errorf("the catalog lists %d backups", len(list))
			}
			if files := e.tree(t); len(files) != 0 {
				t.Errorf("files left: %v", files)
			}
		})
	}
}

// TestLeaseKeptAliveBySlowTarget makes the transfer last several times the
// lease timeout: the keeper's progress reports keep the lease alive.
func TestLeaseKeptAliveBySlowTarget(t *testing.T) {
	// The keeper reports every half second (a sixth of the lease timeout):
	// a loaded machine may delay a report by a second or two and still not
	// lose the lease, while the export outlives the timeout twice over.
	e := newEnv(t, esxisim.Options{LeaseTimeout: 3 * time.Second})
	e.faulty.WriteDelay(time.Second) // 6 disk chunks: the export lasts 6 s
	start := time.Now()
	e.backup(t, CreateRequest{Uncompressed: true})
	if took := time.Since(start); took < 6*time.Second {
		t.Fatalf("the backup took %s, not long enough to outlive the lease", took)
	}
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	tests := []struct {
		name string
		d    func(Deps) Deps
		req  CreateRequest
		want error
	}{
		{"no VM", func(d Deps) Deps { return d }, CreateRequest{}, ErrInvalidRequest},
		{"negative timeout", func(d Deps) Deps { return d }, CreateRequest{VM: src, ShutdownTimeout: -1}, ErrInvalidRequest},
		{"no client", func(d Deps) Deps { d.Client = nil; return d }, CreateRequest{VM: src}, ErrMissingDependency},
		{"no catalog", func(d Deps) Deps { d.Catalog = nil; return d }, CreateRequest{VM: src}, ErrMissingDependency},
		{"no targets", func(d Deps) Deps { d.Targets = nil; return d }, CreateRequest{VM: src}, ErrMissingDependency},
		{"no lock dir", func(d Deps) Deps { d.LockDir = ""; return d }, CreateRequest{VM: src}, ErrMissingDependency},
		{"unknown target", func(d Deps) Deps { return d }, CreateRequest{VM: src, Target: "tape"}, target.ErrUnknownTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Create(context.Background(), tt.d(e.d), tt.req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestLeaseExpiresWithoutProgress shows what the keeper prevents: with the
// host refusing progress reports, the lease expires mid-transfer and the
// backup fails cleanly, saying why.
func TestLeaseExpiresWithoutProgress(t *testing.T) {
	e := newEnv(t, esxisim.Options{LeaseTimeout: time.Second})
	e.sim.AddFault(esxisim.FaultRule{Method: "HttpNfcLeaseProgress", Fault: &types.SystemError{Reason: "progress lost"}})
	e.faulty.WriteDelay(400 * time.Millisecond)
	_, err := Create(ctxT(t), e.d, CreateRequest{VM: src, Uncompressed: true})
	if err == nil || !strings.Contains(err.Error(), "lease progress reports failed") {
		t.Fatalf("err = %v, want the expired lease with the failed reports", err)
	}
	if list, _ := e.catalog.ListBackups(""); len(list) != 0 || len(e.tree(t)) != 0 {
		t.Errorf("left %d entries and files %v", len(list), e.tree(t))
	}
}
