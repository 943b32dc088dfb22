package metrics

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestObserveOperation(t *testing.T) {
	m := New(false)
	m.ObserveOperation("vm.list", "success", 0.2)
	m.ObserveOperation("vm.list", "success", 0.3)
	m.ObserveOperation("vm.create", "failure", 12)
	m.ObserveOperation("vm.delete", "refused", 0)

	want := `
# HELP ceso_vm_operation_total Operations asked of ceso, by operation and status (success, failure, refused, partial).
# TYPE ceso_vm_operation_total counter
ceso_vm_operation_total{operation="vm.create",status="failure"} 1
ceso_vm_operation_total{operation="vm.delete",status="refused"} 1
ceso_vm_operation_total{operation="vm.list",status="success"} 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "ceso_vm_operation_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(m.opDuration); n != 2 {
		t.Fatalf("%d duration series, want 2 (refused ops that never ran have no duration)", n)
	}
	text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`ceso_vm_operation_duration_seconds_count{operation="vm.list",status="success"} 2`,
		`ceso_vm_operation_duration_seconds_sum{operation="vm.list",status="success"} 0.5`,
		`ceso_vm_operation_duration_seconds_bucket{operation="vm.create",status="failure",le="30"} 1`,
		`ceso_vm_operation_duration_seconds_bucket{operation="vm.create",status="failure",le="10"} 0`,
	} {
		if !strings.Contains(string(text), line) {
			t.Errorf("missing %q in\n%s", line, text)
		}
	}
}

func TestLint(t *testing.T) {
	m := New(true)
	m.ObserveOperation("vm.list", "success", 0.1)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if !strings.HasPrefix(p.Metric, "go_") && !strings.HasPrefix(p.Metric, "process_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

func TestHandlerAndTextfile(t *testing.T) {
	m := New(false)
	m.ObserveOperation("vm.info", "success", 1)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || !strings.Contains(string(body), `ceso_vm_operation_total{operation="vm.info",status="success"} 1`) {
		t.Fatalf("handler: %d\n%s", rec.Code, body)
	}
	path := filepath.Join(t.TempDir(), "ceso.prom")
	if err := m.WriteTextfile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != string(body) {
		t.Fatalf("textfile differs from the handler output: %v", err)
	}
	if err := m.WriteTextfile(filepath.Join(t.TempDir(), "missing", "x.prom")); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}
