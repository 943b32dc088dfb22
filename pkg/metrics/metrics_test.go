package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestObserveOperation(t *testing.T) {
	m := New(false)
	m.ObserveOperation("vm.list", "success", 0.2)
	m.ObserveOperation("vm.list", "success", 0.3)
	m.ObserveOperation("vm.create", "failure", 12)
	m.ObserveOperation("vm.delete", "refused", 0)
	m.ObserveOperation("vm.delete", "exploded", 1)

	want := `
# HELP ceso_vm_operation_total Operations asked of ceso, by operation and status (success, failure, refused, partial).
# TYPE ceso_vm_operation_total counter
ceso_vm_operation_total{operation="vm.create",status="failure"} 1
ceso_vm_operation_total{operation="vm.delete",status="other"} 1
ceso_vm_operation_total{operation="vm.delete",status="refused"} 1
ceso_vm_operation_total{operation="vm.list",status="success"} 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "ceso_vm_operation_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(m.opDuration); n != 3 {
		t.Fatalf("%d duration series, want 3 (refused ops that never ran have no duration)", n)
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

func TestRecorders(t *testing.T) {
	m := New(false)
	m.SSHFallback("vm.create")
	m.SSHFallback("vm.create")
	m.SetPool(3, 1)
	m.SetPool(-1, 2)
	m.Login()
	m.Login()
	m.SandboxDenied("vm.delete", "standard")
	m.SandboxDenied("vm.delete", "Not A Mode!")
	m.AuditWriteFailed()
	m.SetJobs(4, -2)
	for _, tt := range []struct {
		name string
		c    prometheus.Collector
		want float64
	}{
		{"ssh fallback", m.sshFallback.WithLabelValues("vm.create"), 2},
		{"in use", m.poolInUse, 0},
		{"idle", m.poolIdle, 2},
		{"logins", m.logins, 2},
		{"denied standard", m.denials.WithLabelValues("vm.delete", "standard"), 1},
		{"denied bad mode", m.denials.WithLabelValues("vm.delete", Other), 1},
		{"audit", m.auditFailures, 1},
		{"queued", m.jobsQueued, 4},
		{"running", m.jobsRunning, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := testutil.ToFloat64(tt.c); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestBuildInfo(t *testing.T) {
	m := newMetrics(false, BuildInfo{Version: "v1.2.3", GoVersion: "go1.26.0"})
	want := `
# HELP ceso_build_info Always 1; the labels name the ceso version, VCS revision and Go version of the binary.
# TYPE ceso_build_info gauge
ceso_build_info{goversion="go1.26.0",revision="unknown",version="v1.2.3"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "ceso_build_info"); err != nil {
		t.Fatal(err)
	}
	if b := readBuildInfo(); b.GoVersion == "" {
		t.Errorf("no Go version in the test binary's build info: %+v", b)
	}
}

func TestHandler(t *testing.T) {
	m := New(false)
	m.ObserveOperation("vm.info", "success", 1)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || !strings.Contains(string(body), `ceso_vm_operation_total{operation="vm.info",status="success"} 1`) {
		t.Fatalf("handler: %d\n%s", rec.Code, body)
	}
}

// failing is a collector whose collection fails, to test the error paths.
type failing struct{ desc *prometheus.Desc }

func newFailing() failing {
	return failing{prometheus.NewDesc("ceso_failing", "A collector that fails.", nil, nil)}
}
func (f failing) Describe(ch chan<- *prometheus.Desc) { ch <- f.desc }
func (f failing) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.NewInvalidMetric(f.desc, errors.New("collection failed"))
}

func TestTextGatherError(t *testing.T) {
	m := New(false)
	m.Registry().MustRegister(newFailing())
	if _, err := m.Text(); err == nil || !strings.Contains(err.Error(), "collection failed") {
		t.Fatalf("Text = %v, want the collection error", err)
	}
}
