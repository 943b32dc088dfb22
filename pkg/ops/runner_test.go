package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
)

type memAudit struct {
	mu      sync.Mutex
	records []Record
	failOn  string // phase to fail on
}

func (a *memAudit) Write(_ context.Context, r Record) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failOn == r.Phase {
		return errors.New("disk full")
	}
	a.records = append(a.records, r)
	return nil
}

type observed struct{ op, status string }

type memMetrics struct {
	mu  sync.Mutex
	got []observed
}

func (m *memMetrics) ObserveOperation(op, status string, _ float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, observed{op, status})
}

// classes are the classes of the op names the tests use.
var classes = map[string]Class{
	"vm.list": ClassRead, "vm.create": ClassWrite, "vm.power.on": ClassWrite, "vm.delete": ClassDestructive,
}

func newOp(name string, runErr error, ran *bool) *Op {
	return &Op{
		Name:   name,
		Class:  classes[name],
		Target: "web01",
		Params: json.RawMessage(`{"cpu":2}`),
		Plan: func(context.Context) ([]Step, error) {
			return []Step{{Via: "api", Action: "CreateVM_Task", Detail: "web01"}}, nil
		},
		Run: func(ctx context.Context) (any, error) {
			*ran = true
			Note(ctx, "done over %s", "api")
			return "ok", runErr
		},
	}
}

func TestRunnerOutcomes(t *testing.T) {
	partial := errkind.Wrap(errkind.Partial, errors.New("2 of 3 failed"))
	refused := errkind.Wrap(errkind.Refused, errors.New("licence"))
	tests := []struct {
		name       string
		op         string
		mode       string
		runErr     error
		wantRan    bool
		wantStatus string
		wantErr    error
	}{
		{"read in read-only", "vm.list", ModeReadOnly, nil, true, StatusSuccess, nil},
		{"write in read-only", "vm.create", ModeReadOnly, nil, false, StatusRefused, ErrDenied},
		{"write in standard", "vm.create", ModeStandard, nil, true, StatusSuccess, nil},
		{"destructive in standard", "vm.delete", ModeStandard, nil, false, StatusRefused, ErrDenied},
		{"destructive unrestricted", "vm.delete", ModeUnrestricted, nil, true, StatusSuccess, nil},
		{"no class in standard", "vm.teleport", ModeStandard, nil, false, StatusRefused, ErrDenied},
		{"no class unrestricted", "vm.teleport", ModeUnrestricted, nil, true, StatusSuccess, nil},
		{"unknown mode denies", "vm.list", "", nil, false, StatusRefused, ErrDenied},
		{"failure", "vm.create", ModeUnrestricted, errors.New("boom"), true, StatusFailure, nil},
		{"partial", "vm.power.on", ModeUnrestricted, partial, true, StatusPartial, nil},
		{"refused by host", "vm.power.on", ModeUnrestricted, refused, true, StatusRefused, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audit, metrics := &memAudit{}, &memMetrics{}
			r := &Runner{Sandbox: ModeSandbox{Mode: tt.mode}, Audit: audit, Metrics: metrics, Actor: "tester"}
			var ran bool
			res, err := r.Do(context.Background(), newOp(tt.op, tt.runErr, &ran))
			if ran != tt.wantRan {
				t.Fatalf("ran = %v, want %v", ran, tt.wantRan)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if tt.runErr != nil && !errors.Is(err, tt.runErr) {
				t.Fatalf("error %v, want the op's own", err)
			}
			if len(metrics.got) != 1 || metrics.got[0] != (observed{tt.op, tt.wantStatus}) {
				t.Fatalf("metrics %v, want one %s/%s", metrics.got, tt.op, tt.wantStatus)
			}
			last := audit.records[len(audit.records)-1]
			if last.Phase != "end" || last.Outcome != tt.wantStatus || last.CorrelationID != res.CorrelationID {
				t.Fatalf("end record %+v", last)
			}
			if tt.wantRan {
				if len(audit.records) != 2 || audit.records[0].Phase != "start" || audit.records[0].CorrelationID != last.CorrelationID {
					t.Fatalf("records %+v", audit.records)
				}
				if res.Value != "ok" || len(res.Notes) != 1 || last.Notes[0] != "done over api" {
					t.Fatalf("value %v notes %v", res.Value, last.Notes)
				}
			}
		})
	}
}

func TestDryRunTouchesNothing(t *testing.T) {
	audit, metrics := &memAudit{}, &memMetrics{}
	r := &Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}, Audit: audit, Metrics: metrics, DryRun: true}
	var ran bool
	res, err := r.Do(context.Background(), newOp("vm.create", nil, &ran))
	if err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("dry run ran the operation")
	}
	if !res.DryRun || len(res.Plan) != 1 || res.Plan[0].Action != "CreateVM_Task" {
		t.Fatalf("plan %+v", res)
	}
	if len(metrics.got) != 0 {
		t.Fatalf("dry run counted in metrics: %v", metrics.got)
	}
	if len(audit.records) != 2 || !audit.records[0].DryRun {
		t.Fatalf("dry run audit %+v", audit.records)
	}
	if got := FormatPlan(res.Plan); got != " 1. [api] CreateVM_Task  # web01\n" {
		t.Fatalf("FormatPlan = %q", got)
	}
	// An op without a plan cannot be dry-run.
	op := newOp("vm.create", nil, &ran)
	op.Plan = nil
	if _, err := r.Do(context.Background(), op); !errors.Is(err, ErrInvalidOp) {
		t.Fatalf("error %v", err)
	}
	// The dry run is still refused by the sandbox.
	r.Sandbox = ModeSandbox{Mode: ModeReadOnly}
	if _, err := r.Do(context.Background(), newOp("vm.create", nil, &ran)); !errors.Is(err, ErrDenied) {
		t.Fatalf("error %v", err)
	}
}

func TestAuditFailsClosed(t *testing.T) {
	audit := &memAudit{failOn: "start"}
	r := &Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}, Audit: audit}
	var ran bool
	_, err := r.Do(context.Background(), newOp("vm.create", nil, &ran))
	if !errors.Is(err, ErrAudit) || ran {
		t.Fatalf("error %v ran %v: the op must not run without its audit record", err, ran)
	}
	audit = &memAudit{failOn: "end"}
	r.Audit = audit
	_, err = r.Do(context.Background(), newOp("vm.create", nil, &ran))
	if !errors.Is(err, ErrAudit) || !ran {
		t.Fatalf("error %v ran %v: a failed end record must be reported", err, ran)
	}
}

func TestInvalidOp(t *testing.T) {
	r := &Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}}
	for _, op := range []*Op{nil, {Name: "vm.list"}, {Run: func(context.Context) (any, error) { return nil, nil }}} {
		if _, err := r.Do(context.Background(), op); !errors.Is(err, ErrInvalidOp) {
			t.Errorf("op %+v: error %v", op, err)
		}
	}
}

func TestRunnerUsesInjectedClock(t *testing.T) {
	audit := &memAudit{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}, Audit: audit, Now: func() time.Time {
		now = now.Add(1500 * time.Millisecond)
		return now
	}}
	var ran bool
	if _, err := r.Do(context.Background(), newOp("vm.list", nil, &ran)); err != nil {
		t.Fatal(err)
	}
	if d := audit.records[1].DurationMS; d != 1500 {
		t.Fatalf("duration %d ms, want 1500", d)
	}
}

// TestModesDecideByClass: every mode decides every class as documented.
func TestModesDecideByClass(t *testing.T) {
	for _, class := range []Class{ClassUnknown, ClassRead, ClassWrite, ClassDestructive} {
		op := &Op{Name: "x.y", Class: class}
		for mode, allowed := range map[string]bool{
			ModeReadOnly:     class == ClassRead,
			ModeStandard:     class == ClassRead || class == ClassWrite,
			ModeUnrestricted: true,
			"":               false,
			"bogus":          false,
		} {
			err := ModeSandbox{Mode: mode}.Allow(context.Background(), op)
			if (err == nil) != allowed {
				t.Errorf("%s in mode %q: allowed=%v", class, mode, err == nil)
			}
			if err != nil && !errors.Is(err, ErrDenied) {
				t.Errorf("%s in mode %q: error %v is not ErrDenied", class, mode, err)
			}
		}
		if class.String() == "" {
			t.Error("class without a name")
		}
	}
	if fmt.Sprint(Step{Via: "ssh", Action: "vim-cmd vmsvc/getallvms"}) != "[ssh] vim-cmd vmsvc/getallvms" {
		t.Error("step format")
	}
}

func TestNotesFromParallelWork(t *testing.T) {
	r := &Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}}
	op := &Op{Name: "vm.power.on", Class: ClassWrite, Run: func(ctx context.Context) (any, error) {
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() { defer wg.Done(); Note(ctx, "vm %d over SSH", i) }()
		}
		wg.Wait()
		return nil, nil
	}}
	res, err := r.Do(context.Background(), op)
	if err != nil || len(res.Notes) != 20 {
		t.Fatalf("notes %d, %v", len(res.Notes), err)
	}
	Note(context.Background(), "outside an op: ignored")
}

type guardMetrics struct {
	memMetrics
	denied []string
	audit  int
}

func (g *guardMetrics) SandboxDenied(op, mode string) { g.denied = append(g.denied, op+"/"+mode) }
func (g *guardMetrics) AuditWriteFailed()             { g.audit++ }

// TestGuardObserver: refusals and failed audit writes reach the metrics.
func TestGuardObserver(t *testing.T) {
	g := &guardMetrics{}
	r := &Runner{Sandbox: ModeSandbox{Mode: ModeReadOnly}, Mode: ModeReadOnly, Audit: &memAudit{}, Metrics: g}
	var ran bool
	if _, err := r.Do(context.Background(), newOp("vm.delete", nil, &ran)); !errors.Is(err, ErrDenied) {
		t.Fatal(err)
	}
	if len(g.denied) != 1 || g.denied[0] != "vm.delete/read-only" {
		t.Fatalf("denials %v", g.denied)
	}
	r = &Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}, Audit: &memAudit{failOn: "start"}, Metrics: g}
	if _, err := r.Do(context.Background(), newOp("vm.create", nil, &ran)); !errors.Is(err, ErrAudit) || g.audit != 1 {
		t.Fatalf("audit failure: %v, counted %d", err, g.audit)
	}
	if Current(context.Background()) != "" {
		t.Fatal("an operation name outside an operation")
	}
	op := &Op{Name: "vm.list", Class: ClassRead, Run: func(ctx context.Context) (any, error) { return Current(ctx), nil }}
	res, _ := (&Runner{Sandbox: ModeSandbox{Mode: ModeUnrestricted}}).Do(context.Background(), op)
	if res.Value != "vm.list" {
		t.Fatalf("Current = %v", res.Value)
	}
}
