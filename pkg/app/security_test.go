package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/audit"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/security"
)

// probe is an op of the given class that records whether it ran.
func probe(name string, class ops.Class, params string, ran *bool) *ops.Op {
	return &ops.Op{
		Name: name, Class: class, Target: "web01", Params: json.RawMessage(params),
		Plan: func(context.Context) ([]ops.Step, error) {
			return []ops.Step{{Via: "api", Action: "Destroy_Task web01"}}, nil
		},
		Run: func(context.Context) (any, error) { *ran = true; return nil, nil },
	}
}

// do runs a probe through the App's runner for call and reports whether it
// ran.
func do(t *testing.T, a *App, call Call, name string, class ops.Class, params string) (bool, ops.Result, error) {
	t.Helper()
	r, err := a.Runner(call)
	if err != nil {
		return false, ops.Result{}, err
	}
	var ran bool
	res, err := r.Do(context.Background(), probe(name, class, params, &ran))
	return ran, res, err
}

// TestModesDecideByClass runs an op of every class, with and without
// confirmation and as a dry run, in every mode through the App's runner.
func TestModesDecideByClass(t *testing.T) {
	classes := []ops.Class{ops.ClassUnknown, ops.ClassRead, ops.ClassWrite, ops.ClassDestructive}
	for _, mode := range []string{"restricted", "read-only", "standard", "unrestricted"} {
		a, _ := testApp(t, "security:\n  mode: "+mode+"\n", nil, false)
		for _, class := range classes {
			for _, confirmed := range []bool{false, true} {
				var want bool
				switch {
				case mode == "unrestricted":
					want = true
				case class == ops.ClassUnknown:
				case class == ops.ClassRead:
					want = true
				case mode == "standard":
					want = class == ops.ClassWrite || confirmed
				}
				ran, res, err := do(t, a, Call{Confirmed: confirmed}, "x.y", class, `{}`)
				if ran != want || (err == nil) != want {
					t.Errorf("%s mode, %s, confirmed %v: ran %v, %v", mode, class, confirmed, ran, err)
				}
				if err != nil && (!errors.Is(err, ops.ErrDenied) || res.PlanID == "" && class != ops.ClassUnknown) {
					t.Errorf("%s mode, %s: refusal %v without a plan ID (%q)", mode, class, err, res.PlanID)
				}
				// A plan of anything classified may be made in every mode.
				_, res, err = do(t, a, Call{DryRun: true}, "x.y", class, `{}`)
				if (err == nil) != (class != ops.ClassUnknown || mode == "unrestricted") || (err == nil && !strings.HasPrefix(res.PlanID, "plan-")) {
					t.Errorf("%s mode, dry run of %s: %v %+v", mode, class, err, res)
				}
			}
		}
	}
}

func TestCallCannotRaiseTheMode(t *testing.T) {
	a, _ := testApp(t, "security:\n  mode: standard\n", nil, false)
	if _, err := a.Runner(Call{Mode: "unrestricted"}); !errors.Is(err, security.ErrModeRaise) {
		t.Fatalf("raise: %v", err)
	}
	if _, err := a.Runner(Call{Mode: "sideways"}); !errors.Is(err, security.ErrUnknownMode) {
		t.Fatalf("bad mode: %v", err)
	}
	ran, _, err := do(t, a, Call{Mode: "restricted"}, "vm.create", ops.ClassWrite, `{}`)
	if ran || !errors.Is(err, security.ErrPlanOnly) {
		t.Fatalf("lowered: ran %v %v", ran, err)
	}
	a.cfg.Security.AllowedOps = &[]string{"vm.list", ""}
	if _, err := a.Runner(Call{}); !errors.Is(err, security.ErrNotAllowed) {
		t.Fatalf("empty op name: %v", err)
	}
	a.cfg.Security.AllowedOps = &[]string{"vm.list"}
	if ran, _, err := do(t, a, Call{}, "vm.create", ops.ClassWrite, `{}`); ran || !errors.Is(err, security.ErrNotAllowed) {
		t.Fatalf("allowed_ops: ran %v %v", ran, err)
	}
}

// grantApp is an App in restricted mode whose promotion key is the key
// pair made in its HOME; it returns the signer.
func grantApp(t *testing.T, now *time.Time) (*App, *security.Signer, string) {
	t.Helper()
	a, home := testApp(t, "security:\n  mode: restricted\n  promotion_public_key: ~/promote.key.pub\n", nil, false)
	if _, err := security.GenerateKey(filepath.Join(home, "promote.key"), nil); err != nil {
		t.Fatal(err)
	}
	key, err := security.LoadPrivateKey(filepath.Join(home, "promote.key"))
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return *now }
	a.opts.Now = clock
	return a, &security.Signer{Key: key, Now: clock}, home
}

func TestPromotionTokens(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	a, signer, home := grantApp(t, &now)
	tok, p, err := signer.Promote(security.Grant{Ops: []string{"vm.delete"}, Targets: []string{"web01"}, Duration: 30 * time.Minute, MaxUses: 1})
	if err != nil {
		t.Fatal(err)
	}
	call := Call{PromotionToken: tok}
	// A read does not spend it.
	if ran, _, err := do(t, a, call, "vm.list", ops.ClassRead, `{}`); !ran || err != nil {
		t.Fatal(err)
	}
	if ran, _, err := do(t, a, call, "vm.delete", ops.ClassDestructive, `{}`); !ran || err != nil {
		t.Fatalf("token: ran %v %v", ran, err)
	}
	if ran, _, err := do(t, a, call, "vm.delete", ops.ClassDestructive, `{}`); ran || !errors.Is(err, security.ErrTokenUsedUp) || !errors.Is(err, ops.ErrDenied) {
		t.Fatalf("second use: ran %v %v", ran, err)
	}
	// The audit records name the token of the run, and the refusal's
	// reason.
	records := readAudit(t, a)
	if r := records[len(records)-2]; r.Phase != "end" || r.TokenID != p.ID || r.Outcome != "success" {
		t.Fatalf("record %+v", r)
	}
	if r := records[len(records)-1]; r.Outcome != "refused" || !strings.Contains(r.Error, "used up") {
		t.Fatalf("record %+v", r)
	}
	// Forged, expired, another op: refused.
	forged := tok[:len(tok)-4] + "AAAA"
	if _, _, err := do(t, a, Call{PromotionToken: forged}, "vm.delete", ops.ClassDestructive, `{}`); !errors.Is(err, security.ErrTokenForged) && !errors.Is(err, security.ErrTokenMalformed) {
		t.Fatalf("forged: %v", err)
	}
	tok2, _, _ := signer.Promote(security.Grant{Ops: []string{"vm.create"}, Duration: time.Minute})
	if _, _, err := do(t, a, Call{PromotionToken: tok2}, "vm.delete", ops.ClassDestructive, `{}`); !errors.Is(err, security.ErrTokenOpScope) {
		t.Fatalf("other op: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if _, _, err := do(t, a, Call{PromotionToken: tok2}, "vm.create", ops.ClassWrite, `{}`); !errors.Is(err, security.ErrTokenExpired) {
		t.Fatalf("expired: %v", err)
	}
	// An unreadable key, or none configured: tokens cannot be checked.
	if err := os.Remove(filepath.Join(home, "promote.key.pub")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := do(t, a, Call{PromotionToken: tok}, "vm.delete", ops.ClassDestructive, `{}`); !errors.Is(err, security.ErrKey) || !errors.Is(err, ops.ErrDenied) {
		t.Fatalf("missing key: %v", err)
	}
	a.cfg.Security.PromotionPublicKey = ""
	if _, _, err := do(t, a, Call{PromotionToken: tok}, "vm.delete", ops.ClassDestructive, `{}`); !errors.Is(err, security.ErrNoVerifier) {
		t.Fatalf("no key: %v", err)
	}
}

func TestPlanApprovals(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	a, signer, _ := grantApp(t, &now)
	ran, res, err := do(t, a, Call{}, "vm.delete", ops.ClassDestructive, `{"name":"web01"}`)
	if ran || !errors.Is(err, security.ErrPlanOnly) || !strings.HasPrefix(res.PlanID, "plan-") || len(res.Plan) != 1 {
		t.Fatalf("refusal: ran %v %v %+v", ran, err, res)
	}
	approval, ap, err := signer.Approve(res.PlanID, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Other params: another plan, refused as stale (and not used up).
	if ran, _, err := do(t, a, Call{Approval: approval}, "vm.delete", ops.ClassDestructive, `{"name":"web01","force":true}`); ran || !errors.Is(err, security.ErrApprovalStale) {
		t.Fatalf("stale: ran %v %v", ran, err)
	}
	if ran, _, err := do(t, a, Call{Approval: approval}, "vm.delete", ops.ClassDestructive, `{"name":"web01"}`); !ran || err != nil {
		t.Fatalf("approved: ran %v %v", ran, err)
	}
	if r := readAudit(t, a); r[len(r)-1].ApprovalID != ap.ID || r[len(r)-2].ApprovalID != ap.ID || r[len(r)-2].Phase != "start" {
		t.Fatalf("records %+v", r[len(r)-2:])
	}
	if ran, _, err := do(t, a, Call{Approval: approval}, "vm.delete", ops.ClassDestructive, `{"name":"web01"}`); ran || !errors.Is(err, security.ErrApprovalReplayed) {
		t.Fatalf("replay: ran %v %v", ran, err)
	}
	// A read needs no approval: the one given is not looked at.
	if ran, _, err := do(t, a, Call{Approval: "junk"}, "vm.list", ops.ClassRead, `{}`); !ran || err != nil {
		t.Fatalf("read: %v", err)
	}
}

func TestAuditorRotatesAndNamesTheActor(t *testing.T) {
	a, _ := testApp(t, "security:\n  audit_max_size: 2K\n", nil, false)
	for range 12 {
		if ran, _, err := do(t, a, Call{Actor: "agent:claude"}, "vm.list", ops.ClassRead, `{}`); !ran || err != nil {
			t.Fatal(err)
		}
	}
	files, err := audit.Files(a.cfg.AuditLogPath())
	if err != nil || len(files) < 3 {
		t.Fatalf("files %v %v", files, err)
	}
	rep, err := audit.Verify(files, nil)
	if err != nil || rep.Records != 24 {
		t.Fatalf("verify %+v %v", rep, err)
	}
	r := readAudit(t, a)[0]
	if r.Actor.Name != "agent:claude" || r.Actor.User == "" || r.Actor.UID == "" || r.Actor.Host == "" || r.Mode != "unrestricted" {
		t.Fatalf("actor %+v mode %s", r.Actor, r.Mode)
	}
}

// readAudit returns the records of the App's current audit file.
func readAudit(t *testing.T, a *App) []audit.Entry {
	t.Helper()
	f, err := os.Open(a.cfg.AuditLogPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := audit.ReadRecords(f)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]audit.Entry, len(lines))
	for i, l := range lines {
		if l.Err != nil {
			t.Fatalf("line %d: %v", l.Number, l.Err)
		}
		out[i] = l.Entry
	}
	return out
}
