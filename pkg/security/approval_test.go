package security

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

type step struct {
	Via    string `json:"via"`
	Action string `json:"action"`
}

func mustPlanID(t *testing.T, op, params string, steps any) string {
	t.Helper()
	id, err := PlanID(op, json.RawMessage(params), steps)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPlanID(t *testing.T) {
	steps := []step{{"api", "Destroy_Task vm-42"}}
	base := mustPlanID(t, "vm.delete", `{"name":"web01","force":false}`, steps)
	if !validPlanID(base) {
		t.Fatalf("%q is not a plan ID", base)
	}
	same := []struct {
		name, op, params string
		steps            any
	}{
		{"keys reordered and spaced", "vm.delete", " {\n \"force\": false, \"name\": \"web01\" } ", steps},
		{"steps as raw JSON", "vm.delete", `{"name":"web01","force":false}`, json.RawMessage(`[{"action":"Destroy_Task vm-42","via":"api"}]`)},
	}
	for _, tt := range same {
		if got := mustPlanID(t, tt.op, tt.params, tt.steps); got != base {
			t.Errorf("%s: %s, want %s", tt.name, got, base)
		}
	}
	differ := []struct {
		name, op, params string
		steps            any
	}{
		{"other op", "vm.power.off", `{"name":"web01","force":false}`, steps},
		{"other params", "vm.delete", `{"name":"web02","force":false}`, steps},
		{"number written otherwise", "vm.delete", `{"name":"web01","force":false,"n":1.0}`, steps},
		{"host changed: other steps", "vm.delete", `{"name":"web01","force":false}`, []step{{"api", "Destroy_Task vm-43"}}},
		{"no steps", "vm.delete", `{"name":"web01","force":false}`, nil},
	}
	for _, tt := range differ {
		if got := mustPlanID(t, tt.op, tt.params, tt.steps); got == base {
			t.Errorf("%s: same plan ID", tt.name)
		}
	}
	if a, b := mustPlanID(t, "x", "", nil), mustPlanID(t, "x", "null", nil); a != b {
		t.Error("empty params and null differ")
	}
	for _, bad := range []struct {
		op, params string
		steps      any
	}{{"", "{}", nil}, {"x", "{", nil}, {"x", "{} {}", nil}, {"x", "{}]", nil}, {"x", "{}", func() {}}, {"x", "{}", json.RawMessage(`[`)}} {
		if _, err := PlanID(bad.op, json.RawMessage(bad.params), bad.steps); !errors.Is(err, ErrInvalidOperation) {
			t.Errorf("PlanID(%q, %q): %v", bad.op, bad.params, err)
		}
	}
}

func TestApprovals(t *testing.T) {
	plan := mustPlanID(t, "vm.delete", `{"name":"web01"}`, []step{{"api", "Destroy_Task vm-42"}})
	stale := mustPlanID(t, "vm.delete", `{"name":"web01"}`, []step{{"api", "Destroy_Task vm-43"}})
	tests := []struct {
		name  string
		token func(t *testing.T, r *rig) string
		at    time.Duration
		plan  string
		want  error
	}{
		{"valid", nil, time.Minute, plan, nil},
		{"expired", nil, DefaultApprovalTTL, plan, ErrTokenExpired},
		{"issued in the future", nil, -time.Minute, plan, ErrTokenNotYetValid},
		{"stale plan", nil, 0, stale, ErrApprovalStale},
		{"wrong key", func(t *testing.T, r *rig) string {
			tok, _, err := (&Signer{Key: seeded(3), Now: r.clk.Now}).Approve(plan, 0)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, 0, plan, ErrTokenWrongKey},
		{"forged", func(t *testing.T, r *rig) string {
			tok, _, _ := r.signer.Approve(stale, 0)
			good, _, _ := r.signer.Approve(plan, 0)
			body, _, _ := strings.Cut(strings.TrimPrefix(good, ApprovalPrefix), ".")
			_, sig, _ := strings.Cut(strings.TrimPrefix(tok, ApprovalPrefix), ".")
			return ApprovalPrefix + body + "." + sig
		}, 0, plan, ErrTokenForged},
		{"over the cap", func(t *testing.T, r *rig) string {
			tok, _, err := (&Signer{Key: r.signer.Key, Now: r.clk.Now, MaxApproval: time.Hour}).Approve(plan, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, 0, plan, ErrTokenOverCap},
		{"promotion passed as an approval", func(t *testing.T, r *rig) string {
			tok, _ := r.promote(t, Grant{Ops: []string{"vm.delete"}, Duration: time.Minute})
			return tok
		}, 0, plan, ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			tok, issued, err := r.signer.Approve(plan, 0)
			if err != nil {
				t.Fatal(err)
			}
			if tt.token != nil {
				tok = tt.token(t, r)
			}
			r.clk.Set(t0.Add(tt.at))
			a, err := r.ver.UseApproval(tok, tt.plan)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err == nil && (a != issued || a.PlanID != plan || a.Expires.Sub(a.IssuedAt) != DefaultApprovalTTL) {
				t.Fatalf("approval %+v, issued %+v", a, issued)
			}
		})
	}
}

func TestApprovalIsValidOnce(t *testing.T) {
	r := newRig(t)
	plan := mustPlanID(t, "vm.delete", `{"name":"web01"}`, nil)
	other := mustPlanID(t, "vm.delete", `{"name":"web02"}`, nil)
	tok, a, err := r.signer.Approve(plan, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// A stale attempt does not spend it.
	if _, err := r.ver.UseApproval(tok, other); !errors.Is(err, ErrApprovalStale) || !strings.Contains(err.Error(), "review the new plan") {
		t.Fatalf("stale: %v", err)
	}
	if _, err := r.ver.UseApproval(tok, plan); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ver.UseApproval(tok, plan); !errors.Is(err, ErrApprovalReplayed) {
		t.Fatalf("replay: %v", err)
	}
	// A revoked approval is refused before its first use.
	tok2, a2, _ := r.signer.Approve(plan, time.Minute)
	if err := r.state.Revoke(a2.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ver.UseApproval(tok2, plan); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("revoked: %v", err)
	}
	// Spent approvals are forgotten once expired: the state stays small.
	r.clk.Set(t0.Add(2 * time.Minute))
	tok3, _, _ := r.signer.Approve(plan, time.Minute)
	if _, err := r.ver.UseApproval(tok3, plan); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, r.state, bucketApprovals); n != 1 {
		t.Fatalf("%d spent approvals kept, want 1 (%s pruned)", n, a.ID)
	}
}

func TestSandboxWithApproval(t *testing.T) {
	r := newRig(t)
	s, _ := New(Config{Mode: "restricted", Verifier: r.ver, Now: r.clk.Now})
	plan := mustPlanID(t, "vm.delete", `{"name":"web01"}`, nil)
	tok, a, _ := r.signer.Approve(plan, 0)
	op := Operation{Name: "vm.delete", Class: ClassDestructive, Target: "web01", Approval: tok, PlanID: plan}
	// A dry run needs no approval and does not spend it.
	dry := op
	dry.DryRun = true
	if d, err := s.CheckOperation(dry); err != nil || d.Via != ViaDryRun {
		t.Fatalf("%+v %v", d, err)
	}
	d, err := s.CheckOperation(op)
	if err != nil || d.Via != ViaApproval || d.ApprovalID != a.ID {
		t.Fatalf("%+v %v", d, err)
	}
	if _, err := s.CheckOperation(op); !errors.Is(err, ErrApprovalReplayed) || !errors.Is(err, ErrPlanOnly) {
		t.Fatalf("replay: %v", err)
	}
}

func TestSignerRefusesBadApprovals(t *testing.T) {
	s := &Signer{Key: seeded(1)}
	plan := "plan-" + strings.Repeat("0", 32)
	for _, tt := range []struct {
		plan string
		ttl  time.Duration
		want string
	}{
		{"web01", 0, "not a plan ID"},
		{"plan-" + strings.Repeat("0", 31), 0, "not a plan ID"},
		{plan, time.Hour, "between 1s and 15m0s"},
		{plan, -time.Second, "between"},
	} {
		if _, _, err := s.Approve(tt.plan, tt.ttl); !errors.Is(err, ErrGrant) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Approve(%q, %v) = %v, want %q", tt.plan, tt.ttl, err, tt.want)
		}
	}
	if _, _, err := (&Signer{}).Approve(plan, 0); !errors.Is(err, ErrGrant) {
		t.Fatal(err)
	}
	if _, _, err := (&Signer{Key: seeded(1), Rand: strings.NewReader("")}).Approve(plan, 0); !errors.Is(err, ErrGrant) {
		t.Fatal(err)
	}
}
