package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server/api"
)

// startWrite starts a write with a delay on method and returns its job ID
// once the runner started it.
func startWrite(t *testing.T, ts *testServer, method string, delay time.Duration, op, params string) string {
	t.Helper()
	ts.sim.SetMethodDelay(method, delay)
	t.Cleanup(func() { ts.sim.SetMethodDelay(method, 0) })
	r := ts.op(t, operator, op, params)
	var j api.Job
	r.decode(t, &j)
	if r.status != http.StatusAccepted || j.State != api.StateRunning {
		t.Fatalf("%d %s", r.status, r.body)
	}
	return j.ID
}

func (ts *testServer) jobAfterShutdown(t *testing.T, id string) api.Job {
	t.Helper()
	ts.srv.jobs.mu.Lock()
	j := ts.srv.jobs.jobs[id]
	ts.srv.jobs.mu.Unlock()
	if j == nil {
		t.Fatalf("job %s is gone", id)
	}
	return j.view()
}

// TestShutdownLetsRunningOperationsFinish: an operation running at
// shutdown ends within server.shutdown_timeout; it is recorded as finished
// and the listener is closed.
func TestShutdownLetsRunningOperationsFinish(t *testing.T) {
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.ShutdownTimeout = time.Minute }})
	id := startWrite(t, ts, "CopyVirtualDisk_Task", 500*time.Millisecond, "vm.create", `{"name":"late01"}`)
	if err := ts.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if j := ts.jobAfterShutdown(t, id); j.State != api.StateSucceeded {
		t.Fatalf("job %+v %+v", j, j.Error)
	}
	if !strings.Contains(ts.logs.String(), "shutdown: job finished") {
		t.Fatalf("log:\n%s", ts.logs.String())
	}
	if recs := ts.audit(t, id); len(recs) != 2 || recs[1].Outcome != "success" {
		t.Fatalf("audit %+v", recs)
	}
	if _, err := http.Get(ts.srv.URL() + api.HealthPath); err == nil {
		t.Fatal("the server still answers after Shutdown")
	}
	if err := ts.srv.jobs.start(newJob("x", "vm.list", admin, time.Now()), 0, nil); err != ErrShuttingDown {
		t.Fatalf("a job after shutdown: %v", err)
	}
}

// TestShutdownCancelsWhatOutlastsTheTimeout: an operation still running
// when server.shutdown_timeout passes is cancelled cleanly: its job ends
// canceled, the log and the audit log say so, and the host has no trace
// of the VM it was making.
func TestShutdownCancelsWhatOutlastsTheTimeout(t *testing.T) {
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.ShutdownTimeout = 300 * time.Millisecond }})
	id := startWrite(t, ts, "CopyVirtualDisk_Task", 3*time.Second, "vm.create", `{"name":"cut01"}`)
	start := time.Now()
	if err := ts.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 2500*time.Millisecond {
		t.Logf("shutdown took %s (the cancelled call returned late)", waited)
	}
	j := ts.jobAfterShutdown(t, id)
	if j.State != api.StateCanceled || j.Error == nil || j.Error.Code != api.CodeInterrupted {
		t.Fatalf("job %+v %+v", j, j.Error)
	}
	if !strings.Contains(ts.logs.String(), "shutdown: job cancelled") {
		t.Fatalf("log:\n%s", ts.logs.String())
	}
	recs := ts.audit(t, id)
	if len(recs) != 2 || recs[1].Outcome != "failure" || !strings.Contains(recs[1].Error, "context canceled") {
		t.Fatalf("audit %+v", recs)
	}
	// The host is as before: no VM, no folder (the copy's delay ends, and
	// the rollback removed what it made).
	ts.sim.SetMethodDelay("CopyVirtualDisk_Task", 0)
	time.Sleep(3 * time.Second)
	if _, err := os.Stat(filepath.Join(ts.sim.DatastoreDir(), "cut01")); err == nil {
		t.Fatal("the cancelled create left its folder on the datastore")
	}
	var o api.Outcome
	again := newTestServer(t, serverOpts{sim: ts.sim})
	again.op(t, admin, "vm.list", `{"name":"cut01"}`).decode(t, &o)
	if string(o.Result) != "[]" {
		t.Fatalf("the cancelled create left a VM: %s", o.Result)
	}
}
