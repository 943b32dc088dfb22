package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
)

// Outcomes, used as the metrics' status label and the audit outcome.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusRefused = "refused"
	StatusPartial = "partial"
)

// Runner runs operations. Its fields are set once; it is safe for
// concurrent use if they are.
type Runner struct {
	Sandbox Sandbox
	Audit   Auditor
	Metrics Observer // may be nil
	Actor   string   // who runs the ops, for the audit log
	Mode    string   // the sandbox mode, for the audit log
	DryRun  bool
	Now     func() time.Time
	// AuditTimeout bounds each audit write (default 5s).
	AuditTimeout time.Duration
}

// Do runs op through the sandbox, audit, dry-run and metrics steps.
func (r *Runner) Do(ctx context.Context, op *Op) (Result, error) {
	if op == nil || op.Name == "" || op.Run == nil {
		return Result{}, fmt.Errorf("%w: an op needs a name and a Run function", ErrInvalidOp)
	}
	hooks := hooksFrom(ctx)
	res := Result{CorrelationID: hooks.correlationID(), DryRun: r.DryRun}
	rec := Record{
		CorrelationID: res.CorrelationID, Actor: r.Actor, Op: op.Name, Class: op.Class.String(), Mode: r.Mode,
		Target: op.Target, Params: op.Params, DryRun: r.DryRun,
	}
	dec, refusal, failed := r.decide(ctx, op)
	if failed != nil {
		r.audit(ctx, endRecord(rec, outcome(failed), failed, 0, nil))
		return res, failed
	}
	if refusal != nil {
		return r.refused(ctx, op, rec, res, refusal)
	}
	rec.TokenID, rec.ApprovalID = dec.TokenID, dec.ApprovalID
	rec.Phase = "start"
	if err := r.audit(ctx, rec); err != nil {
		return res, fmt.Errorf("%w: %s: %w", ErrAudit, op.Name, err)
	}
	if r.DryRun {
		return r.dryRun(ctx, op, rec, res)
	}
	collected, used := &notes{}, &transports{}
	ctx = context.WithValue(context.WithValue(ctx, notesKey{}, collected), nameKey{}, op.Name)
	ctx = context.WithValue(ctx, transportKey{}, used)
	hooks.started()
	start := r.now()
	value, err := op.Run(ctx)
	elapsed := r.now().Sub(start)
	noteList := collected.all()
	res.Value, res.Notes = value, noteList
	status := outcome(err)
	r.observe(op.Name, status, elapsed.Seconds())
	end := endRecord(rec, status, err, elapsed, noteList)
	end.Transport = used.String()
	if aerr := r.audit(ctx, end); aerr != nil && err == nil {
		err = fmt.Errorf("%w: %s ran but its end record failed: %w", ErrAudit, op.Name, aerr)
	}
	return res, err
}

// dryRun makes the plan and, when the sandbox names plans, its plan ID.
func (r *Runner) dryRun(ctx context.Context, op *Op, rec Record, res Result) (Result, error) {
	steps, err := r.plan(ctx, op)
	res.Plan = steps
	var noteList []string
	if g, ok := r.Sandbox.(Guard); ok && err == nil {
		if res.PlanID, err = g.PlanID(op, steps); err == nil {
			noteList = []string{"plan " + res.PlanID}
		}
	}
	r.audit(ctx, endRecord(rec, outcome(err), err, 0, noteList))
	return res, err
}

func (r *Runner) plan(ctx context.Context, op *Op) ([]Step, error) {
	if op.Plan == nil {
		return nil, fmt.Errorf("%w: %s has no plan for --dry-run", ErrInvalidOp, op.Name)
	}
	return op.Plan(ctx)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) observe(op, status string, seconds float64) {
	if r.Metrics != nil {
		r.Metrics.ObserveOperation(op, status, seconds)
	}
}

// audit writes a record with its own deadline, so that a slow audit sink
// cannot stall an operation forever, and a cancelled command still records
// its end.
func (r *Runner) audit(ctx context.Context, rec Record) error {
	a := r.Audit
	if a == nil {
		a = NopAuditor{}
	}
	timeout := r.AuditTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	err := a.Write(actx, rec)
	if g, ok := r.Metrics.(GuardObserver); ok && err != nil {
		g.AuditWriteFailed()
	}
	return err
}

func endRecord(rec Record, status string, err error, d time.Duration, noteList []string) Record {
	rec.Phase = "end"
	rec.Outcome = status
	rec.DurationMS = d.Milliseconds()
	rec.Notes = noteList
	if err != nil {
		rec.Error = err.Error()
	}
	return rec
}

func outcome(err error) string {
	switch {
	case err == nil:
		return StatusSuccess
	case errkind.Of(err) == errkind.Partial:
		return StatusPartial
	case errors.Is(err, ErrDenied), errkind.Of(err) == errkind.Refused:
		return StatusRefused
	}
	return StatusFailure
}
