package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/google/uuid"
)

// readOnly reports whether every class d can take is read: such an
// operation is answered directly when it ends within server.sync_wait.
func readOnly(d operations.Def) bool {
	for _, c := range d.Classes() {
		if c != ops.ClassRead {
			return false
		}
	}
	return true
}

// opHandler is the handler of d's route. It is the same for every
// operation: params from the body, the caller's mode and name, then the
// runner through Def.Invoke.
func (s *Server) opHandler(d operations.Def) http.Handler {
	read := readOnly(d)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			s.writeError(w, r, http.StatusMethodNotAllowed, fmt.Errorf("%w: %s %s: operations are called with POST", ErrBadRequest, r.Method, r.URL.Path), "")
			return
		}
		req, status, err := s.readRequest(w, r)
		if err != nil {
			s.writeError(w, r, status, err, "")
			return
		}
		c := callerFrom(r.Context())
		call, err := req.call(c)
		if err != nil {
			s.writeError(w, r, 0, err, "")
			return
		}
		id := uuid.NewString()
		j := newJob(id, d.Name(), c.name, s.now())
		err = s.jobs.start(j, req.timeout, func(ctx context.Context, started func()) (*api.Outcome, error) {
			return s.invoke(ops.WithHooks(ctx, ops.Hooks{CorrelationID: id, Started: started}), d, call, req.params, read)
		})
		if err != nil {
			s.writeError(w, r, 0, err, id)
			return
		}
		if read || req.dryRun {
			s.answerRead(w, r, j)
			return
		}
		s.answerWrite(w, r, j)
	})
}

// invoke runs d for call. A write the sandbox refused carries the plan
// and plan ID the runner made for it (what an approval is given for).
func (s *Server) invoke(ctx context.Context, d operations.Def, call app.Call, params json.RawMessage, read bool) (*api.Outcome, error) {
	out, err := d.Invoke(ctx, s.app, call, params)
	if !read && !call.DryRun && s.afterWrite != nil {
		s.afterWrite()
	}
	if err != nil && out.PlanID != "" {
		err = &refusal{err: err, plan: out.Plan, planID: out.PlanID}
	}
	o, oerr := outcome(out)
	if err == nil {
		err = oerr
	}
	if o != nil {
		o.PlanID = out.PlanID
	}
	return o, err
}

// outcome turns an operation's outcome into its wire form.
func outcome(out operations.Outcome[any]) (*api.Outcome, error) {
	result, err := json.Marshal(out.Result)
	if err != nil {
		return nil, fmt.Errorf("encoding the result: %w", err)
	}
	return &api.Outcome{CorrelationID: out.CorrelationID, DryRun: out.DryRun, Plan: out.Plan, Result: result, Notes: out.Notes}, nil
}

// answerRead waits up to server.sync_wait for a read or a dry run: 200
// with its outcome (or its error) if it ends, else 202 with the job. A
// client that leaves does not stop it: it becomes a job.
func (s *Server) answerRead(w http.ResponseWriter, r *http.Request, j *job) {
	t := time.NewTimer(s.app.Config().Server.SyncWait)
	defer t.Stop()
	select {
	case <-j.done:
		s.jobs.forget(j)
		s.answerEnded(w, r, j)
	case <-t.C:
		s.answerJob(w, j)
	case <-r.Context().Done():
		s.jobs.keep(j)
	}
}

// answerWrite answers 202 once the runner started the write (or queued
// it); a write refused or invalid before it started is answered with its
// error at once.
func (s *Server) answerWrite(w http.ResponseWriter, r *http.Request, j *job) {
	select {
	case <-j.accepted:
	case <-r.Context().Done():
		s.jobs.keep(j)
		return
	}
	if state, _, _ := j.snapshot(); api.Terminal(state) && !j.ranOp() {
		s.jobs.forget(j)
		s.answerEnded(w, r, j)
		return
	}
	s.answerJob(w, j)
}

func (s *Server) answerJob(w http.ResponseWriter, j *job) {
	s.jobs.keep(j)
	w.Header().Set("Location", api.JobsPath+"/"+j.id)
	s.writeJSON(w, http.StatusAccepted, j.view(), j.id)
}

// answerEnded answers an ended operation: 200 with its outcome, or its
// error with the status of the error's code.
func (s *Server) answerEnded(w http.ResponseWriter, r *http.Request, j *job) {
	j.mu.Lock()
	out, e := j.outcome, j.err
	j.mu.Unlock()
	if e != nil {
		s.writeJSON(w, api.Status(e.Code), e, j.id)
		return
	}
	s.writeJSON(w, http.StatusOK, out, j.id)
}
