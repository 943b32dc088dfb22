package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/server/api"
)

// fixture makes what the sample params act on: a powered-off VM with a
// backup and a powered-on VM, made around the server.
func (ts *testServer) fixture(t *testing.T) (backupID string) {
	t.Helper()
	ts.runOp(t, "vm.create", `{"name":"off01"}`)
	ts.runOp(t, "vm.create", `{"name":"on01"}`)
	ts.runOp(t, "vm.power", `{"action":"on","names":["on01"]}`)
	var entries []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(ts.run(t, admin, "backup.create", `{"vm":"off01"}`), &entries); err != nil || len(entries) != 1 {
		t.Fatalf("backup: %v %v", entries, err)
	}
	return entries[0].ID
}

// sampleParams are params of every operation of the catalog that succeed
// against the fixture, in an order where each leaves what the next needs.
func sampleParams(backupID string) [][2]string {
	return [][2]string{
		{"vm.list", `{}`},
		{"vm.info", `{"name":"on01"}`},
		{"cloudinit.render", `{"name":"web01"}`},
		{"config.validate", `{"secrets":true}`},
		{"backup.list", `{}`},
		{"backup.verify", `{"id":"` + backupID + `"}`},
		{"vm.create", `{"name":"new01","cloud_init":{"hostname":"new01"}}`},
		{"vm.clone", `{"source":"off01","name":"copy01"}`},
		{"vm.power", `{"action":"off","names":["on01"]}`},
		{"backup.restore", `{"id":"` + backupID + `","as_new":"restored01"}`},
		{"backup.prune", `{"keep_last":1}`},
		{"backup.clean", `{}`},
		{"backup.create", `{"vm":"copy01"}`},
		{"backup.delete", `{"id":"` + backupID + `","force":true}`},
		{"vm.delete", `{"name":"new01"}`},
	}
}

// TestEveryRouteOfTheCatalog calls every operation's route over HTTP, as a
// dry run and for real, and checks every request and answer against the
// OpenAPI document: the API has exactly one route per operation, each
// answers 200 (read) or 202 and a job that succeeds (write).
func TestEveryRouteOfTheCatalog(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	backupID := ts.fixture(t)
	samples := sampleParams(backupID)
	covered := map[string]bool{}
	for _, s := range samples {
		covered[s[0]] = true
	}
	for _, d := range operations.Catalog() {
		if !covered[d.Name()] {
			t.Errorf("%s has no sample params in this test", d.Name())
		}
	}
	for _, s := range samples {
		name, params := s[0], s[1]
		d, _ := operations.Lookup(name)
		t.Run(name, func(t *testing.T) {
			r := ts.call(t, http.MethodPost, api.OpsPrefix+name+"?dry_run=true", admin, params, true)
			var plan api.Outcome
			r.decode(t, &plan)
			// Only backup.clean may have nothing to do.
			if r.status != http.StatusOK || !plan.DryRun || (len(plan.Plan) == 0 && name != "backup.clean") || plan.PlanID == "" {
				t.Fatalf("dry run: status %d %s", r.status, r.body)
			}
			if plan.CorrelationID != r.header.Get(api.CorrelationHeader) {
				t.Fatalf("correlation ID %q, header %q", plan.CorrelationID, r.header.Get(api.CorrelationHeader))
			}
			r = ts.op(t, admin, name, params)
			switch {
			case readOnly(d) && r.status == http.StatusOK:
				var o api.Outcome
				r.decode(t, &o)
				if o.DryRun || string(o.Result) == "null" {
					t.Fatalf("read: %s", r.body)
				}
			case !readOnly(d) && r.status == http.StatusAccepted:
				var j api.Job
				r.decode(t, &j)
				if j.ID == "" || r.header.Get("Location") != api.JobsPath+"/"+j.ID || j.Actor != admin || j.Operation != name {
					t.Fatalf("job %+v, Location %q", j, r.header.Get("Location"))
				}
				if j = ts.wait(t, admin, j.ID); j.State != api.StateSucceeded || j.Started == nil || j.Finished == nil {
					t.Fatalf("job ended %s: %+v", j.State, j.Error)
				}
			default:
				t.Fatalf("status %d: %s", r.status, r.body)
			}
		})
	}
}
