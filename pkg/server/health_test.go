package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server/api"
)

// TestReadiness: /readyz is ok with the host, the catalog and the audit
// log; it answers 503 naming each failed check, while /healthz stays ok.
func TestReadiness(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	var h api.Health
	r := ts.call(t, http.MethodGet, api.ReadyPath, "", "", true)
	r.decode(t, &h)
	if r.status != http.StatusOK || h.Status != "ok" || h.Checks["host"] != "ok" || h.Checks["catalog"] != "ok" || h.Checks["audit"] != "ok" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if _, err := os.Stat(ts.cfg.AuditLogPath()); !os.IsNotExist(err) {
		t.Fatalf("the audit check wrote to the audit log: %v", err)
	}
	ts.run(t, reader, "vm.list", `{}`) // the audit log exists now
	// A catalog that is not a catalog, and an audit log that cannot be
	// written.
	if err := os.MkdirAll(filepath.Dir(ts.cfg.CatalogPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ts.cfg.CatalogPath(), []byte("not bolt"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory where the audit log should be: not writable, even by root.
	log := ts.cfg.AuditLogPath()
	if err := os.Rename(log, log+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(log, 0o700); err != nil {
		t.Fatal(err)
	}
	r = ts.call(t, http.MethodGet, api.ReadyPath, "", "", true)
	h = api.Health{}
	r.decode(t, &h)
	if r.status != http.StatusServiceUnavailable || h.Status != "unavailable" || h.Checks["host"] != "ok" ||
		!strings.Contains(h.Checks["catalog"], "catalog") || !strings.Contains(h.Checks["audit"], "cannot be written") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := ts.call(t, http.MethodGet, api.HealthPath, "", "", true); r.status != http.StatusOK {
		t.Fatalf("healthz %d", r.status)
	}
	// A host that refuses the credentials: the host check fails, without
	// the password in the answer (call checks).
	bad := newTestServer(t, serverOpts{sim: ts.sim, configure: func(c *config.Config) { c.ESXi.Password = "wrong-" + ts.sim.Password() }})
	h = api.Health{}
	r = bad.call(t, http.MethodGet, api.ReadyPath, "", "", true)
	r.decode(t, &h)
	if r.status != http.StatusServiceUnavailable || h.Checks["host"] == "ok" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := ts.call(t, http.MethodPost, api.ReadyPath, "", "", false); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST /readyz: %d", r.status)
	}
}
