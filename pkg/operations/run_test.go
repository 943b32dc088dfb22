package operations

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/audit"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/ops"
)

// TestEveryOperationRuns runs every operation of the catalog for real on
// the simulator, through Invoke (the JSON path the API and MCP take), and
// checks its result and its paired audit records.
func TestEveryOperationRuns(t *testing.T) {
	f := newFixture(t)
	call := app.Call{Mode: ops.ModeUnrestricted, Actor: "tester"}
	p := f.params()
	p["vm.power"] = `{"action":"on","names":["` + vmOff + `"]}`
	p["backup.prune"] = `{"keep_last":1,"keep_daily":0,"keep_weekly":0,"keep_monthly":0,"vm":"` + vmOff + `"}`
	order := []struct {
		name  string
		check func(t *testing.T, result any)
	}{
		{"config.validate", func(t *testing.T, r any) {
			if !r.(ConfigReport).Valid {
				t.Error("not valid")
			}
		}},
		{"cloudinit.render", func(t *testing.T, r any) {
			if r.(GuestInfo)["guestinfo.metadata.encoding"] != "gzip+base64" {
				t.Errorf("keys %v", r)
			}
		}},
		{"vm.list", func(t *testing.T, r any) {
			if len(r.([]VMSummary)) != 3 {
				t.Errorf("%d VMs", len(r.([]VMSummary)))
			}
		}},
		{"vm.info", func(t *testing.T, r any) {
			if d := r.(*VMDetails); d.Name != vmOn || d.CloudInit == nil || d.CloudInit.Hostname != vmOn {
				t.Errorf("info %+v", d)
			}
		}},
		{"backup.list", func(t *testing.T, r any) {
			if l := r.([]BackupEntry); len(l) != 1 || l[0].ID != f.backup {
				t.Errorf("list %+v", l)
			}
		}},
		{"backup.verify", func(t *testing.T, r any) {
			if v := r.([]VerifyResult); len(v) != 1 || !v[0].OK {
				t.Errorf("verify %+v", v)
			}
		}},
		{"backup.restore", func(t *testing.T, r any) {
			if res := r.(RestoreResult); res.VM != "restored01" || res.InstanceID == "" {
				t.Errorf("restore %+v", res)
			}
		}},
		{"vm.clone", func(t *testing.T, r any) {
			if res := r.(*VMResult); res.Name != "copy01" || len(res.MACs) == 0 {
				t.Errorf("clone %+v", res)
			}
		}},
		{"vm.create", func(t *testing.T, r any) {
			if res := r.(*VMResult); res.Name != "new01" {
				t.Errorf("create %+v", res)
			}
		}},
		{"backup.create", func(t *testing.T, r any) {
			if e := r.([]BackupEntry); len(e) != 1 || e[0].VMName != vmOff || e[0].ID == f.backup {
				t.Errorf("backup %+v", e)
			}
		}},
		{"vm.power", func(t *testing.T, r any) {
			if res := r.([]PowerResult); len(res) != 1 || res[0].State != "poweredOn" {
				t.Errorf("power %+v", res)
			}
		}},
		{"backup.prune", func(t *testing.T, r any) {
			// The newest backup by keep_last, the verified one because a
			// verified backup is never pruned.
			ds := r.([]PruneDecision)
			if len(ds) != 2 || ds[0].Action != ActionKeep || ds[1].Action != ActionKeep || !strings.Contains(strings.Join(ds[1].Reasons, ";"), "never removed") {
				t.Errorf("prune %+v", ds)
			}
		}},
		{"backup.clean", func(t *testing.T, r any) {}},
		{"backup.delete", func(t *testing.T, r any) {
			if d := r.(BackupDeleted); !d.Deleted || d.ID != f.backup {
				t.Errorf("delete %+v", d)
			}
		}},
		{"vm.delete", nil}, // powered on now: refused without force
	}
	if len(order) != len(Catalog()) {
		t.Fatalf("the test runs %d operations, the catalog has %d", len(order), len(Catalog()))
	}
	for _, step := range order {
		d, _ := Lookup(step.name)
		ctx := simtest.Ctx(t, 3*time.Minute)
		out, err := d.Invoke(ctx, f.a, call, json.RawMessage(p[step.name]))
		if step.check == nil {
			if err == nil {
				t.Errorf("%s: want an error", step.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		step.check(t, out.Result)
	}
	checkAuditPairs(t, f.cfg.AuditLogPath(), len(order))
}

// checkAuditPairs reads the audit log: every operation run by the test has
// a start and an end record with one correlation ID and the actor.
func checkAuditPairs(t *testing.T, path string, count int) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	phases := map[string][]string{}
	opsSeen := map[string]bool{}
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Phase         string `json:"phase"`
			CorrelationID string `json:"correlation_id"`
			Actor         struct {
				Name string `json:"name"`
				User string `json:"user"`
				Host string `json:"host"`
			} `json:"actor"`
			Op        string          `json:"operation"`
			Mode      string          `json:"mode"`
			Transport string          `json:"transport"`
			Params    json.RawMessage `json:"params"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Actor.Name != "tester" {
			continue // the fixture's own set-up
		}
		phases[r.CorrelationID] = append(phases[r.CorrelationID], r.Phase)
		opsSeen[r.Op] = true
		if r.Phase == "start" && len(r.Params) == 0 {
			t.Errorf("%s start record without params", r.Op)
		}
		if r.Mode != ops.ModeUnrestricted || r.Actor.User == "" || r.Actor.Host == "" {
			t.Errorf("%s %s record: mode %q actor %+v", r.Op, r.Phase, r.Mode, r.Actor)
		}
		// What reaches the host says how (the backups are on the VM's
		// datastore, the default target); what stays local (the catalog)
		// says nothing.
		reaches := strings.HasPrefix(r.Op, "vm.") || r.Op == "backup.create" || r.Op == "backup.restore" || r.Op == "backup.verify" || r.Op == "backup.delete"
		if wantAPI := r.Phase == "end" && reaches; wantAPI != (r.Transport == "api") {
			t.Errorf("%s %s record: transport %q", r.Op, r.Phase, r.Transport)
		}
	}
	// The chain holds: every record in order, none edited.
	if rep, err := audit.VerifyLog(path, nil); err != nil || rep.Records == 0 {
		t.Errorf("audit chain: %+v %v", rep, err)
	}
	if len(opsSeen) != count {
		t.Errorf("audit records for %d operations, want %d: %v", len(opsSeen), count, opsSeen)
	}
	for id, ph := range phases {
		if strings.Join(ph, ",") != "start,end" {
			t.Errorf("correlation %s: phases %v", id, ph)
		}
	}
}
