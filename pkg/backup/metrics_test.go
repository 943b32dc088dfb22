package backup

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func TestMetricsExposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := RegisterMetrics(reg)
	m.now = func() time.Time { return time.Unix(1_770_000_000, 0) }
	m.BackupFinished("web", StatusSuccess, 90*time.Second, 4096)
	m.BackupFinished("web", StatusFailure, 3*time.Second, 0)
	m.RestoreFinished(StatusSuccess, 200*time.Second)
	m.VerifyFinished(StatusRefused, 0)
	m.BytesWritten(4096)
	m.BytesWritten(0)
	want := `
# HELP ceso_backup_last_success_timestamp_seconds Unix time at which the last successful backup of the VM ended.
# TYPE ceso_backup_last_success_timestamp_seconds gauge
ceso_backup_last_success_timestamp_seconds{vm_name="web"} 1.77e+09
# HELP ceso_backup_size_bytes Bytes stored on the target by the last successful backup of the VM.
# TYPE ceso_backup_size_bytes gauge
ceso_backup_size_bytes{vm_name="web"} 4096
# HELP ceso_backup_written_bytes_total Bytes written to backup targets.
# TYPE ceso_backup_written_bytes_total counter
ceso_backup_written_bytes_total 4096
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"ceso_backup_last_success_timestamp_seconds", "ceso_backup_size_bytes", "ceso_backup_written_bytes_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.backup); n != 2 {
		t.Errorf("%d backup duration series, want one per status", n)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(families).Lint()
	if err != nil || len(problems) != 0 {
		t.Errorf("promlint: %v, %+v", err, problems)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering twice did not panic")
		}
	}()
	RegisterMetrics(reg)
}

// TestOperationsReportToTheObserver runs real operations with the
// Prometheus observer.
func TestOperationsReportToTheObserver(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	reg := prometheus.NewRegistry()
	e.d.Metrics = RegisterMetrics(reg)
	entry := e.backup(t, CreateRequest{})
	e.power(t, src, vm.PoweredOn, false)
	if _, err := Create(ctxT(t), e.d, CreateRequest{VM: src}); !errors.Is(err, ErrPoweredOn) {
		t.Fatal(err)
	}
	if _, err := Verify(ctxT(t), e.d, entry.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2"}); err != nil {
		t.Fatal(err)
	}
	m := e.d.Metrics.(*Metrics)
	if got := testutil.ToFloat64(m.size.WithLabelValues(src)); got != float64(entry.Size) {
		t.Errorf("size gauge = %v, want %d", got, entry.Size)
	}
	if got := testutil.ToFloat64(m.written); got < float64(entry.Size) {
		t.Errorf("written = %v, want at least %d", got, entry.Size)
	}
	counts := map[string]uint64{}
	families, _ := reg.Gather()
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			if h := mt.GetHistogram(); h != nil {
				counts[f.GetName()+"/"+mt.GetLabel()[0].GetValue()] = h.GetSampleCount()
			}
		}
	}
	want := map[string]uint64{
		"ceso_backup_duration_seconds/success":        1,
		"ceso_backup_duration_seconds/refused":        1,
		"ceso_backup_verify_duration_seconds/success": 1,
		"ceso_restore_duration_seconds/success":       1,
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
}
