package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/server/api"
)

// job is one operation the server runs for a caller. Its ID is the
// operation's correlation ID, the one its audit records carry.
type job struct {
	id, op, owner string
	created       time.Time
	done          chan struct{} // closed when it has ended
	accepted      chan struct{} // closed when it started, was queued, or ended
	acceptOnce    sync.Once
	cancel        context.CancelFunc

	mu        sync.Mutex
	state     string
	started   time.Time
	finished  time.Time
	ran       bool // the runner started the operation (Started hook)
	canceling bool // cancelled by DELETE or shutdown
	listed    bool // readable through /api/v1/jobs
	progress  *api.Progress
	outcome   *api.Outcome
	err       *api.Error
}

func newJob(id, op, owner string, now time.Time) *job {
	return &job{id: id, op: op, owner: owner, created: now, state: api.StateQueued,
		done: make(chan struct{}), accepted: make(chan struct{})}
}

func (j *job) accept() { j.acceptOnce.Do(func() { close(j.accepted) }) }

// Report implements progress.Reporter: the job's transfer progress.
func (j *job) Report(label string, done, total int64) {
	j.mu.Lock()
	j.progress = &api.Progress{Label: label, DoneBytes: done, TotalBytes: total}
	j.mu.Unlock()
}

// markStarted records that the runner allowed the operation and started it.
func (j *job) markStarted(now time.Time) {
	j.mu.Lock()
	j.ran, j.started = true, now
	j.mu.Unlock()
	j.accept()
}

// ranOp reports whether the operation itself started (not refused or
// invalid before it).
func (j *job) ranOp() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ran
}

// end records how the job ended and closes done.
func (j *job) end(now time.Time, out *api.Outcome, err error) {
	j.mu.Lock()
	j.finished, j.outcome = now, out
	switch {
	case err == nil:
		j.state = api.StateSucceeded
	case j.canceling:
		j.state = api.StateCanceled
	default:
		j.state = api.StateFailed
	}
	if err != nil {
		j.err = jobError(err, j.id, out)
	}
	j.mu.Unlock()
	j.accept()
	close(j.done)
}

// jobError is the api.Error of a job's error, with the plan of a refused
// write and the result of a partial failure.
func jobError(err error, id string, out *api.Outcome) *api.Error {
	e := apiError(err, id)
	var r *refusal
	if errors.As(err, &r) {
		e.Plan, e.PlanID = r.plan, r.planID
	}
	if out != nil && len(out.Result) > 0 && string(out.Result) != "null" {
		e.Result = out.Result
	}
	return e
}

// refusal is a sandbox refusal with the plan the operation would have run.
type refusal struct {
	err    error
	plan   []ops.Step
	planID string
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// view is the job as GET /api/v1/jobs/{id} shows it.
func (j *job) view() api.Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := api.Job{ID: j.id, Operation: j.op, Actor: j.owner, State: j.state, CorrelationID: j.id, Created: j.created, Error: j.err}
	if !j.started.IsZero() {
		t := j.started
		v.Started = &t
	}
	if !j.finished.IsZero() {
		t := j.finished
		v.Finished = &t
	}
	if j.progress != nil {
		p := *j.progress
		v.Progress = &p
	}
	if j.outcome != nil && j.err == nil {
		v.Result, v.Notes = j.outcome.Result, j.outcome.Notes
	} else if j.outcome != nil {
		v.Notes = j.outcome.Notes
	}
	return v
}

func (j *job) snapshot() (state string, finished time.Time, listed bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state, j.finished, j.listed
}
