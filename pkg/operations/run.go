package operations

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/ops"
)

// Outcome is what one call of an operation returns.
type Outcome[R any] struct {
	// CorrelationID ties the call to its audit records.
	CorrelationID string `json:"correlation_id"`
	// DryRun says that only the plan was made.
	DryRun bool `json:"dry_run"`
	// Plan is the steps the operation would take: on a dry run, and with a
	// refusal the sandbox would allow as a dry run.
	Plan []ops.Step `json:"plan"`
	// PlanID names Plan: what `ceso sandbox approve` signs.
	PlanID string `json:"plan_id,omitempty"`
	// Result is the operation's result (not on a dry run). It may be set
	// with an error too: a batch that partly failed.
	Result R `json:"result"`
	// Notes are remarks the operation made ("done over SSH: …").
	Notes []string `json:"notes"`
}

// Run completes p with the configured defaults, validates it, and runs the
// operation through the runner of call: sandbox, audit, dry run, metrics.
// Invalid params are refused (errkind.Usage) before anything else.
func Run[P Params, R any](ctx context.Context, a *app.App, call app.Call, o *Op[P, R], p P) (Outcome[R], error) {
	var out Outcome[R]
	p = o.Complete(a, p)
	if err := p.Validate(); err != nil {
		if errkind.Of(err) == errkind.Unknown {
			err = fmt.Errorf("%w: %w", ErrInvalidParams, err)
		}
		return out, err
	}
	r, err := a.Runner(call)
	if err != nil {
		return out, err
	}
	hash, err := a.Auditor()
	if err != nil {
		return out, err
	}
	params, err := auditParams(p, hash.HashSecret)
	if err != nil {
		return out, err
	}
	op := &ops.Op{
		Name: o.name, Class: o.ClassOf(p), Target: p.Target(), Params: params,
		Plan: func(ctx context.Context) ([]ops.Step, error) { return o.plan(ctx, a, p) },
		Run:  func(ctx context.Context) (any, error) { return o.run(ctx, a, p) },
	}
	if c, ok := any(p).(changer); ok {
		op.Changes = c.changes(a.Config())
	}
	res, err := r.Do(ctx, op)
	out.CorrelationID, out.DryRun, out.Plan, out.PlanID, out.Notes = res.CorrelationID, res.DryRun, res.Plan, res.PlanID, res.Notes
	if v, ok := res.Value.(R); ok {
		out.Result = v
	}
	return out, err
}
