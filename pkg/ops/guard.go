package ops

import (
	"context"
	"errors"
	"fmt"
)

// Decision says how a Guard let an operation through, for the audit record.
type Decision struct {
	// Via is how: "mode", "dry-run", "confirmation", "promotion" or
	// "approval".
	Via string
	// TokenID and ApprovalID name the promotion token or plan approval that
	// lifted a restriction, when one did.
	TokenID    string
	ApprovalID string
}

// Query is what a Guard decides on.
type Query struct {
	Op     *Op
	DryRun bool
	// PlanID is the ID of the operation's plan as it is now, made when
	// WantsPlan asked for it (an approval is for one plan).
	PlanID string
}

// Guard is a Sandbox that says how it let an operation through and may
// judge it by its plan. The runner asks a Guard's Decide rather than
// Allow.
type Guard interface {
	Sandbox
	// Decide allows q or returns an error wrapping ErrDenied that says why
	// not.
	Decide(ctx context.Context, q Query) (Decision, error)
	// WantsPlan says the decision on op needs the ID of its plan: an
	// approval was given and nothing else would let op run.
	WantsPlan(ctx context.Context, op *Op) bool
	// PlanID names the plan steps of op: the digest an approval is for.
	PlanID(op *Op, steps []Step) (string, error)
}

// decide asks the sandbox about op. A Guard that wants the plan ID gets it
// first; making that plan is a read and its failure (a VM that does not
// exist) is returned as failed, not as a refusal.
func (r *Runner) decide(ctx context.Context, op *Op) (dec Decision, refusal, failed error) {
	sandbox := r.Sandbox
	if sandbox == nil {
		sandbox = ModeSandbox{} // deny by default
	}
	g, ok := sandbox.(Guard)
	if !ok {
		return Decision{Via: "mode"}, sandbox.Allow(ctx, op), nil
	}
	q := Query{Op: op, DryRun: r.DryRun}
	if !r.DryRun && g.WantsPlan(ctx, op) {
		steps, err := r.plan(ctx, op)
		if err == nil {
			q.PlanID, err = g.PlanID(op, steps)
		}
		if err != nil {
			return Decision{}, nil, fmt.Errorf("making the plan of %s to check its approval: %w", op.Name, err)
		}
	}
	dec, err := g.Decide(ctx, q)
	if err != nil && !errors.Is(err, ErrDenied) {
		err = fmt.Errorf("%w: %w", ErrDenied, err)
	}
	return dec, err, nil
}

// refused records and returns a refusal. When the sandbox would let the op
// run as a dry run, its plan and plan ID go with the refusal, so that a
// human can read the plan and approve exactly it.
func (r *Runner) refused(ctx context.Context, op *Op, rec Record, res Result, refusal error) (Result, error) {
	if g, ok := r.Metrics.(GuardObserver); ok {
		g.SandboxDenied(op.Name, r.Mode)
	}
	r.observe(op.Name, StatusRefused, 0)
	var noteList []string
	if g, ok := r.Sandbox.(Guard); ok && !r.DryRun && op.Plan != nil {
		if _, err := g.Decide(ctx, Query{Op: op, DryRun: true}); err == nil {
			steps, err := op.Plan(ctx)
			if err == nil {
				res.Plan = steps
				res.PlanID, err = g.PlanID(op, steps)
			}
			if err != nil {
				noteList = append(noteList, "the plan could not be made: "+err.Error())
			} else {
				noteList = append(noteList, fmt.Sprintf("plan %s (%d steps) shown for approval", res.PlanID, len(steps)))
			}
		}
	}
	res.Notes = noteList
	r.audit(ctx, endRecord(rec, StatusRefused, refusal, 0, noteList))
	return res, refusal
}
