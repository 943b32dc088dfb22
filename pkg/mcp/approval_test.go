package mcp

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// approve signs an approval of planID as the operator would.
func (r *rig) approve(t *testing.T, planID string) string {
	t.Helper()
	tok, _, err := r.signer.Approve(planID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestRestrictedWriteReturnsAPlan: in restricted mode a write does not run:
// the result is its plan, its plan ID and the command a human runs; the
// host is unchanged.
func TestRestrictedWriteReturnsAPlan(t *testing.T) {
	r := newRig(t, rigOpts{mode: "restricted"})
	cs := r.connect(t, Identity{Agent: "claude"})
	before := r.vmNames(t)
	rp := call(t, cs, "vm_create", map[string]any{"name": "new01", "cpu": 2})
	if rp.env.Status != StatusApprovalRequired || rp.res.IsError {
		t.Fatalf("status %s (error result %v), want approval_required: %s", rp.env.Status, rp.res.IsError, rp.text)
	}
	if len(rp.env.Plan) == 0 || !strings.HasPrefix(rp.env.PlanID, "plan-") {
		t.Fatalf("no plan or plan ID: %+v", rp.env)
	}
	if want := "ceso sandbox approve " + rp.env.PlanID + " --key"; !strings.Contains(rp.env.Approve, want) || !strings.Contains(rp.text, want) {
		t.Errorf("the result does not say what a human runs (%q):\n%s", want, rp.text)
	}
	if after := r.vmNames(t); len(after) != len(before) || after["new01"] != "" {
		t.Errorf("the host changed: %v → %v", before, after)
	}
	// A dry run is a plan too, with the same plan ID.
	dry := call(t, cs, "vm_create", map[string]any{"name": "new01", "cpu": 2, "dry_run": true})
	if dry.env.Status != StatusPlanned || dry.env.PlanID != rp.env.PlanID {
		t.Errorf("dry run: %s %s, want planned %s", dry.env.Status, dry.env.PlanID, rp.env.PlanID)
	}
}

// TestApprovedPlanRunsOnce: the approval of a plan lets the same call run
// once; its second use and an approval of another plan are refused, and
// change nothing.
func TestApprovedPlanRunsOnce(t *testing.T) {
	r := newRig(t, rigOpts{mode: "restricted"})
	cs := r.connect(t, Identity{Agent: "claude"})
	args := map[string]any{"name": "new01"}
	plan := call(t, cs, "vm_create", args)
	approval := r.approve(t, plan.env.PlanID)

	args["approval"] = approval
	done := mustDo(t, cs, "vm_create", args)
	if r.vmNames(t)["new01"] == "" {
		t.Fatalf("the approved create made no VM: %s", done.text)
	}

	// Second use: the same approval on a call whose plan is the same.
	verify := map[string]any{"id": r.backupOf(t, "new01")}
	vplan := call(t, cs, "backup_verify", verify)
	verify["approval"] = r.approve(t, vplan.env.PlanID)
	mustDo(t, cs, "backup_verify", verify)
	again := call(t, cs, "backup_verify", verify)
	if again.env.Status != StatusApprovalRequired || !strings.Contains(again.env.Error, "already used") {
		t.Errorf("second use of an approval: %s %q", again.env.Status, again.env.Error)
	}

	// Stale: an approval of one plan given with other params.
	p2 := call(t, cs, "vm_create", map[string]any{"name": "new02"})
	stale := call(t, cs, "vm_create", map[string]any{"name": "new03", "approval": r.approve(t, p2.env.PlanID)})
	if stale.env.Status != StatusApprovalRequired || !strings.Contains(stale.env.Error, "is for "+p2.env.PlanID) {
		t.Errorf("stale approval: %s %q", stale.env.Status, stale.env.Error)
	}
	if stale.env.PlanID == p2.env.PlanID || stale.env.PlanID == "" {
		t.Errorf("a stale approval should come back with the new plan's ID, got %q", stale.env.PlanID)
	}
	if names := r.vmNames(t); names["new02"] != "" || names["new03"] != "" {
		t.Errorf("a refused create changed the host: %v", names)
	}
	// A forged approval is refused too.
	forged := call(t, cs, "vm_create", map[string]any{"name": "new02", "approval": "nonsense"})
	if forged.env.Status != StatusApprovalRequired || forged.env.Error == "" {
		t.Errorf("forged approval: %s %q", forged.env.Status, forged.env.Error)
	}
}

// backupOf backs name up around MCP and returns the backup's ID.
func (r *rig) backupOf(t *testing.T, name string) string {
	t.Helper()
	var list []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.runOp(t, "backup.create", `{"vm":"`+name+`"}`), &list); err != nil || len(list) != 1 {
		t.Fatalf("backup of %s: %v %v", name, list, err)
	}
	return list[0].ID
}

// auditRecord is what the tests read of an audit record.
type auditRecord struct {
	Phase         string `json:"phase"`
	CorrelationID string `json:"correlation_id"`
	Operation     string `json:"operation"`
	Actor         struct {
		Name string `json:"name"`
	} `json:"actor"`
	Mode       string `json:"mode"`
	Target     string `json:"target"`
	Outcome    string `json:"outcome"`
	ApprovalID string `json:"approval_id"`
}

// audit returns the records of correlation ID id (all when "").
func (r *rig) audit(t *testing.T, id string) []auditRecord {
	t.Helper()
	f, err := os.Open(r.cfg.AuditLogPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []auditRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec auditRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if id == "" || rec.CorrelationID == id {
			out = append(out, rec)
		}
	}
	return out
}

// TestAuditCarriesTheAgent: every record of an MCP call names the agent
// and the mode; an approved run names its approval.
func TestAuditCarriesTheAgent(t *testing.T) {
	r := newRig(t, rigOpts{mode: "standard"})
	cs := r.connect(t, Identity{Agent: "agent-7", Mode: "restricted"})
	list := mustDo(t, cs, "vm_list", nil)
	plan := call(t, cs, "vm_create", map[string]any{"name": "aud01"})
	run := mustDo(t, cs, "vm_create", map[string]any{"name": "aud01", "approval": r.approve(t, plan.env.PlanID)})
	for _, rp := range []reply{list, plan, run} {
		recs := r.audit(t, rp.env.CorrelationID)
		if len(recs) == 0 {
			t.Fatalf("%s: no audit record of %s", rp.env.Operation, rp.env.CorrelationID)
		}
		for _, rec := range recs {
			if rec.Actor.Name != "agent-7" || rec.Mode != "restricted" {
				t.Errorf("%s %s: actor %q mode %q, want agent-7 restricted", rec.Operation, rec.Phase, rec.Actor.Name, rec.Mode)
			}
		}
	}
	if recs := r.audit(t, run.env.CorrelationID); recs[len(recs)-1].ApprovalID == "" || recs[len(recs)-1].Outcome != "success" {
		t.Errorf("approved run's end record: %+v", recs[len(recs)-1])
	}
	if recs := r.audit(t, plan.env.CorrelationID); recs[len(recs)-1].Outcome != "refused" {
		t.Errorf("plan-only call's end record: %+v", recs[len(recs)-1])
	}
}
