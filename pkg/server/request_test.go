package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server/api"
)

// TestBadRequests: strict params (unknown field, wrong type, invalid value),
// a body that is not JSON or too large, an unknown query parameter, a wrong
// method or content type and an unknown operation each get a JSON error
// with its code, and nothing reaches the host.
func TestBadRequests(t *testing.T) {
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.MaxRequestBytes = 2048 }})
	before := ts.sim.Requests()
	tests := []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"unknown field", "POST", api.OpsPrefix + "vm.list", `{"nmae":"x"}`, 400, api.CodeUsage, `unknown field "nmae"`},
		{"wrong type", "POST", api.OpsPrefix + "vm.info", `{"name":5}`, 400, api.CodeUsage, "invalid parameters"},
		{"invalid value", "POST", api.OpsPrefix + "vm.list", `{"power_state":"sideways"}`, 400, api.CodeUsage, "power state"},
		{"invalid write", "POST", api.OpsPrefix + "vm.create", `{"name":""}`, 400, api.CodeUsage, "name"},
		{"trailing data", "POST", api.OpsPrefix + "vm.list", `{} {}`, 400, api.CodeUsage, "not JSON"},
		{"not JSON", "POST", api.OpsPrefix + "vm.list", `name=x`, 400, api.CodeUsage, "not JSON"},
		{"too large", "POST", api.OpsPrefix + "vm.list", `{"name":"` + strings.Repeat("x", 4096) + `"}`, 413, api.CodeUsage, "max_request_bytes"},
		{"unknown query", "POST", api.OpsPrefix + "vm.list?dryrun=1", ``, 400, api.CodeUsage, `unknown query parameter "dryrun"`},
		{"bad dry_run", "POST", api.OpsPrefix + "vm.list?dry_run=maybe", ``, 400, api.CodeUsage, "dry_run"},
		{"twice dry_run", "POST", api.OpsPrefix + "vm.list?dry_run=1&dry_run=0", ``, 400, api.CodeUsage, "2 times"},
		{"bad timeout", "POST", api.OpsPrefix + "vm.list?timeout=soon", ``, 400, api.CodeUsage, "timeout"},
		{"GET on an operation", "GET", api.OpsPrefix + "vm.list", ``, 405, api.CodeUsage, "POST"},
		{"unknown operation", "POST", api.OpsPrefix + "vm.teleport", `{}`, 404, api.CodeNotFound, "/api/v1/ops/vm.teleport"},
		{"unknown path", "GET", "/favicon.ico", ``, 404, api.CodeNotFound, "no such route"},
		{"PUT on a job", "PUT", api.JobsPath + "/x", ``, 405, api.CodeUsage, "GET or DELETE"},
		{"POST on jobs", "POST", api.JobsPath, ``, 405, api.CodeUsage, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.call(t, tt.method, tt.path, admin, tt.body, false)
			e := r.apiError(t)
			if r.status != tt.status || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) || e.CorrelationID == "" {
				t.Fatalf("status %d %s", r.status, r.body)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, ts.srv.URL()+api.OpsPrefix+"vm.list", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+ts.tokens[admin])
	req.Header.Set("Content-Type", "text/plain")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %v %v", resp, err)
	}
	if ts.sim.Requests() != before {
		t.Fatalf("bad requests sent %d calls to the host", ts.sim.Requests()-before)
	}
}

// TestTimeoutAndErrorsOfOperations: ?timeout= bounds the operation (504,
// timeout); an operation's error has the code of its kind (404 for an
// unknown VM); a batch that partly failed ends with its result beside the
// partial error.
func TestTimeoutAndErrorsOfOperations(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.runOp(t, "vm.create", `{"name":"p01"}`)
	r := ts.op(t, reader, "vm.info", `{"name":"ghost"}`)
	if e := r.apiError(t); r.status != http.StatusNotFound || e.Code != api.CodeNotFound || !strings.Contains(e.Message, `"ghost"`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	r = ts.op(t, operator, "vm.power", `{"action":"on","names":["p01","ghost"]}`)
	var j api.Job
	r.decode(t, &j)
	j = ts.wait(t, operator, j.ID)
	if j.State != api.StateFailed || j.Error.Code != api.CodePartial || !strings.Contains(string(j.Error.Result), `"p01"`) {
		t.Fatalf("%+v %+v", j, j.Error)
	}
	ts.sim.SetMethodDelay("RetrievePropertiesEx", 2e9)
	t.Cleanup(func() { ts.sim.SetMethodDelay("RetrievePropertiesEx", 0) })
	r = ts.op(t, reader, "vm.list?timeout=100ms", `{}`)
	if e := r.apiError(t); r.status != http.StatusGatewayTimeout || e.Code != api.CodeTimeout {
		t.Fatalf("%d %s", r.status, r.body)
	}
}
