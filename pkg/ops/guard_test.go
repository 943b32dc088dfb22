package ops

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fakeGuard allows by a table and records what it was asked.
type fakeGuard struct {
	allow     func(q Query) (Decision, error)
	wantsPlan bool
	planErr   error
	queries   []Query
}

func (g *fakeGuard) Allow(ctx context.Context, op *Op) error {
	_, err := g.Decide(ctx, Query{Op: op})
	return err
}

func (g *fakeGuard) Decide(_ context.Context, q Query) (Decision, error) {
	g.queries = append(g.queries, q)
	return g.allow(q)
}

func (g *fakeGuard) WantsPlan(context.Context, *Op) bool { return g.wantsPlan }

func (g *fakeGuard) PlanID(op *Op, steps []Step) (string, error) {
	if g.planErr != nil {
		return "", g.planErr
	}
	return "plan-" + op.Name + "-" + steps[0].Action, nil
}

var errPlanOnly = errors.New("restricted mode: plan only")

// dryRunsOnly allows dry runs and refuses the rest.
func dryRunsOnly(q Query) (Decision, error) {
	if q.DryRun {
		return Decision{Via: "dry-run"}, nil
	}
	return Decision{}, errPlanOnly
}

func TestGuardRefusalCarriesThePlan(t *testing.T) {
	g := &fakeGuard{allow: dryRunsOnly}
	audit, metrics := &memAudit{}, &guardMetrics{}
	r := &Runner{Sandbox: g, Audit: audit, Metrics: metrics, Mode: "restricted"}
	var ran bool
	res, err := r.Do(context.Background(), newOp("vm.create", nil, &ran))
	if ran || !errors.Is(err, ErrDenied) || !errors.Is(err, errPlanOnly) {
		t.Fatalf("ran %v, error %v: want refused, wrapping the guard's reason and ErrDenied", ran, err)
	}
	if res.PlanID != "plan-vm.create-CreateVM_Task" || len(res.Plan) != 1 || len(res.Notes) != 1 {
		t.Fatalf("refusal without its plan: %+v", res)
	}
	if len(audit.records) != 1 || audit.records[0].Outcome != StatusRefused || !strings.Contains(audit.records[0].Notes[0], res.PlanID) {
		t.Fatalf("audit %+v", audit.records)
	}
	if len(metrics.denied) != 1 || len(metrics.got) != 1 || metrics.got[0].status != StatusRefused {
		t.Fatalf("metrics %v %v", metrics.denied, metrics.got)
	}

	// Nothing refused as a dry run too: no plan is made.
	g = &fakeGuard{allow: func(Query) (Decision, error) { return Decision{}, errPlanOnly }}
	r.Sandbox, audit.records = g, nil
	res, err = r.Do(context.Background(), newOp("vm.create", nil, &ran))
	if !errors.Is(err, ErrDenied) || res.PlanID != "" || res.Plan != nil || len(audit.records[0].Notes) != 0 {
		t.Fatalf("%+v %v", res, err)
	}

	// A plan that cannot be named is noted, and the op still refused.
	g = &fakeGuard{allow: dryRunsOnly, planErr: errors.New("no digest")}
	r.Sandbox, audit.records = g, nil
	res, err = r.Do(context.Background(), newOp("vm.create", nil, &ran))
	if !errors.Is(err, ErrDenied) || res.PlanID != "" || !strings.Contains(audit.records[0].Notes[0], "no digest") {
		t.Fatalf("%+v %v %+v", res, err, audit.records)
	}
}

func TestGuardDecisionReachesTheAudit(t *testing.T) {
	g := &fakeGuard{wantsPlan: true, allow: func(q Query) (Decision, error) {
		if q.PlanID != "plan-vm.delete-CreateVM_Task" {
			return Decision{}, errors.New("approval is for another plan")
		}
		return Decision{Via: "approval", ApprovalID: "a1", TokenID: "t1"}, nil
	}}
	audit := &memAudit{}
	r := &Runner{Sandbox: g, Audit: audit, Mode: "restricted"}
	var ran bool
	op := newOp("vm.delete", nil, &ran)
	op.Run = func(ctx context.Context) (any, error) {
		ran = true
		UseTransport(ctx, "api")
		UseTransport(ctx, "ssh")
		UseTransport(ctx, "api")
		UseTransport(ctx, "")
		return nil, nil
	}
	if _, err := r.Do(context.Background(), op); err != nil || !ran {
		t.Fatalf("ran %v: %v", ran, err)
	}
	start, end := audit.records[0], audit.records[1]
	for _, rec := range []Record{start, end} {
		if rec.ApprovalID != "a1" || rec.TokenID != "t1" || rec.Mode != "restricted" {
			t.Fatalf("record %+v", rec)
		}
	}
	if end.Transport != "api+ssh" || start.Transport != "" {
		t.Fatalf("transport start %q end %q", start.Transport, end.Transport)
	}
	UseTransport(context.Background(), "ssh") // outside an op: ignored

	// Another plan now: the guard's error is a refusal.
	op.Plan = func(context.Context) ([]Step, error) { return []Step{{Via: "api", Action: "Destroy_Task"}}, nil }
	ran = false
	if _, err := r.Do(context.Background(), op); !errors.Is(err, ErrDenied) || ran {
		t.Fatalf("stale plan: ran %v, %v", ran, err)
	}
	// A plan that fails is the op's failure, not a refusal.
	boom := errors.New("vm not found")
	op.Plan = func(context.Context) ([]Step, error) { return nil, boom }
	audit.records = nil
	if _, err := r.Do(context.Background(), op); !errors.Is(err, boom) || errors.Is(err, ErrDenied) || ran {
		t.Fatalf("failed plan: ran %v, %v", ran, err)
	}
	if len(audit.records) != 1 || audit.records[0].Outcome != StatusFailure {
		t.Fatalf("audit %+v", audit.records)
	}
	// No plan is made on a dry run: the dry run is the plan, and it is
	// named.
	r.DryRun = true
	op.Plan = func(context.Context) ([]Step, error) { return []Step{{Via: "api", Action: "Destroy_Task"}}, nil }
	g.allow = dryRunsOnly
	res, err := r.Do(context.Background(), op)
	if err != nil || res.PlanID != "plan-vm.delete-Destroy_Task" || g.queries[len(g.queries)-1].PlanID != "" {
		t.Fatalf("dry run %+v %v", res, err)
	}
}
