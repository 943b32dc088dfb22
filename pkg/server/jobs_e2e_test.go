package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server/api"
)

// clock is a settable clock for job retention.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestJobLifecycle: a write answers 202 with its job, which its token
// lists and reads until it succeeds, with its result, its notes and its
// audit records under the job's ID; another token does not see it; the
// job is gone after server.job_retention.
func TestJobLifecycle(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	ts := newTestServer(t, serverOpts{now: clk.now, configure: func(c *config.Config) { c.Server.JobRetention = time.Hour }})
	r := ts.op(t, operator, "vm.create", `{"name":"job01"}`)
	var j api.Job
	r.decode(t, &j)
	if r.status != http.StatusAccepted || j.State == api.StateQueued || j.Started == nil || j.CorrelationID != j.ID {
		t.Fatalf("status %d %s", r.status, r.body)
	}
	var list api.JobList
	ts.call(t, http.MethodGet, api.JobsPath, operator, "", true).decode(t, &list)
	if len(list.Jobs) != 1 || list.Jobs[0].ID != j.ID {
		t.Fatalf("list %+v", list)
	}
	done := ts.wait(t, operator, j.ID)
	if done.State != api.StateSucceeded || !strings.Contains(string(done.Result), `"name":"job01"`) || done.Error != nil {
		t.Fatalf("job %+v", done)
	}
	recs := ts.audit(t, j.ID)
	if len(recs) != 2 || recs[0].Phase != "start" || recs[1].Outcome != "success" || recs[1].Actor.Name != operator {
		t.Fatalf("audit %+v", recs)
	}
	for _, other := range []string{reader, admin} {
		if r := ts.call(t, http.MethodGet, api.JobsPath+"/"+j.ID, other, "", true); r.status != http.StatusNotFound {
			t.Fatalf("%s reads another token's job: %d", other, r.status)
		}
		var l api.JobList
		ts.call(t, http.MethodGet, api.JobsPath, other, "", true).decode(t, &l)
		if len(l.Jobs) != 0 {
			t.Fatalf("%s lists %d jobs of another token", other, len(l.Jobs))
		}
	}
	clk.add(59 * time.Minute)
	if r := ts.call(t, http.MethodGet, api.JobsPath+"/"+j.ID, operator, "", true); r.status != http.StatusOK {
		t.Fatalf("within retention: %d", r.status)
	}
	clk.add(2 * time.Minute)
	r = ts.call(t, http.MethodGet, api.JobsPath+"/"+j.ID, operator, "", true)
	if e := r.apiError(t); r.status != http.StatusNotFound || e.Code != api.CodeNotFound {
		t.Fatalf("after retention: %d %s", r.status, r.body)
	}
}

// TestJobCancellation: DELETE cancels a running job; it ends as canceled
// with the interrupted code, its audit end record says so, and the VM it
// was making does not exist.
func TestJobCancellation(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.sim.SetMethodDelay("CopyVirtualDisk_Task", 3*time.Second)
	t.Cleanup(func() { ts.sim.SetMethodDelay("CopyVirtualDisk_Task", 0) })
	r := ts.op(t, operator, "vm.create", `{"name":"cancel01"}`)
	var j api.Job
	r.decode(t, &j)
	if r.status != http.StatusAccepted {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r = ts.call(t, http.MethodDelete, api.JobsPath+"/"+j.ID, operator, "", true)
	if r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	done := ts.wait(t, operator, j.ID)
	if done.State != api.StateCanceled || done.Error == nil || done.Error.Code != api.CodeInterrupted {
		t.Fatalf("job %+v %+v", done, done.Error)
	}
	recs := ts.audit(t, j.ID)
	if len(recs) != 2 || recs[1].Outcome != "failure" || !strings.Contains(recs[1].Error, "context canceled") {
		t.Fatalf("audit %+v", recs)
	}
	ts.sim.SetMethodDelay("CopyVirtualDisk_Task", 0)
	var o api.Outcome
	ts.op(t, admin, "vm.list", `{"name":"cancel01"}`).decode(t, &o)
	if string(o.Result) != "[]" {
		t.Fatalf("the cancelled create left a VM: %s", o.Result)
	}
	// Cancelling an ended job changes nothing.
	var again api.Job
	ts.call(t, http.MethodDelete, api.JobsPath+"/"+j.ID, operator, "", true).decode(t, &again)
	if again.State != api.StateCanceled {
		t.Fatalf("%+v", again)
	}
	if r := ts.call(t, http.MethodDelete, api.JobsPath+"/nope", operator, "", true); r.status != http.StatusNotFound {
		t.Fatalf("cancel of no job: %d", r.status)
	}
}

// TestClientDisconnect: a read that outlasts its client (and a write whose
// client leaves) goes on as a job the token can read afterwards.
func TestClientDisconnect(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.sim.SetMethodDelay("RetrievePropertiesEx", time.Second)
	t.Cleanup(func() { ts.sim.SetMethodDelay("RetrievePropertiesEx", 0) })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.srv.URL()+api.OpsPrefix+"vm.list", nil)
	req.Header.Set("Authorization", "Bearer "+ts.tokens[reader])
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the client was meant to give up")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		var l api.JobList
		ts.call(t, http.MethodGet, api.JobsPath, reader, "", true).decode(t, &l)
		if len(l.Jobs) == 1 && l.Jobs[0].State == api.StateSucceeded {
			if !strings.Contains(string(l.Jobs[0].Result), `"name"`) {
				t.Fatalf("result %s", l.Jobs[0].Result)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the abandoned read did not end as a job: %+v", l)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSlowReadBecomesAJob: a read still running after server.sync_wait
// answers 202; the job then succeeds.
func TestSlowReadBecomesAJob(t *testing.T) {
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.SyncWait = 100 * time.Millisecond }})
	ts.sim.SetMethodDelay("RetrievePropertiesEx", time.Second)
	t.Cleanup(func() { ts.sim.SetMethodDelay("RetrievePropertiesEx", 0) })
	r := ts.op(t, reader, "vm.list", `{}`)
	var j api.Job
	r.decode(t, &j)
	if r.status != http.StatusAccepted || r.header.Get("Location") == "" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if done := ts.wait(t, reader, j.ID); done.State != api.StateSucceeded {
		t.Fatalf("%+v", done)
	}
}

// TestJobsQueueBeyondMaxJobs: with server.max_jobs 1, a second write waits
// queued (202 at once) and runs when the first ends.
func TestJobsQueueBeyondMaxJobs(t *testing.T) {
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.MaxJobs = 1 }})
	ts.sim.SetMethodDelay("CopyVirtualDisk_Task", time.Second)
	t.Cleanup(func() { ts.sim.SetMethodDelay("CopyVirtualDisk_Task", 0) })
	var first, second api.Job
	ts.op(t, operator, "vm.create", `{"name":"q01"}`).decode(t, &first)
	r := ts.op(t, operator, "vm.create", `{"name":"q02"}`)
	r.decode(t, &second)
	if r.status != http.StatusAccepted || second.State != api.StateQueued || second.Started != nil {
		t.Fatalf("second write: %d %s", r.status, r.body)
	}
	text, _ := ts.app.Metrics().Text()
	if !strings.Contains(string(text), "ceso_jobs_queued 1") || !strings.Contains(string(text), "ceso_jobs_running 1") {
		t.Fatalf("job gauges:\n%s", grepLines(string(text), "ceso_jobs"))
	}
	for _, j := range []api.Job{first, second} {
		if done := ts.wait(t, operator, j.ID); done.State != api.StateSucceeded {
			t.Fatalf("%+v", done.Error)
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
