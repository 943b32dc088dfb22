package backup

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

var t0 = time.Unix(1_770_000_000, 0)

func TestMetricsExposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := RegisterMetrics(reg)
	m.now = func() time.Time { return t0 }
	m.BackupFinished("web", StatusSuccess, 90*time.Second, 4096, true)
	m.BackupFinished("web", StatusFailure, 3*time.Second, 0, false)
	m.BackupFinished("db", StatusSuccess, 60*time.Second, 100, false)
	m.RestoreFinished(StatusSuccess, 200*time.Second, 8192)
	m.RestoreFinished(StatusFailure, 2*time.Second, 0)
	m.VerifyFinished("db", t0.Add(-time.Hour), StatusSuccess, 10*time.Second, 100)
	m.VerifyFinished("db", t0, StatusFailure, time.Second, 0)
	m.VerifyFinished("", time.Time{}, StatusRefused, 0, 0)
	m.BytesWritten(4096)
	m.BytesWritten(0)
	want := `
# HELP ceso_backup_last_success_timestamp_seconds Unix time at which the last successful backup of the VM ended (loaded from the catalog: when it was taken).
# TYPE ceso_backup_last_success_timestamp_seconds gauge
ceso_backup_last_success_timestamp_seconds{vm_name="db"} 1.77e+09
ceso_backup_last_success_timestamp_seconds{vm_name="web"} 1.77e+09
# HELP ceso_backup_last_verified_timestamp_seconds Unix time at which the newest backup of the VM that passed verification was taken.
# TYPE ceso_backup_last_verified_timestamp_seconds gauge
ceso_backup_last_verified_timestamp_seconds{vm_name="db"} 1.7699964e+09
ceso_backup_last_verified_timestamp_seconds{vm_name="web"} 1.77e+09
# HELP ceso_backup_size_bytes Bytes stored on the target by the last successful backup of the VM.
# TYPE ceso_backup_size_bytes gauge
ceso_backup_size_bytes{vm_name="db"} 100
ceso_backup_size_bytes{vm_name="web"} 4096
# HELP ceso_backup_verify_read_bytes_total Stored bytes read by backup verifications that passed.
# TYPE ceso_backup_verify_read_bytes_total counter
ceso_backup_verify_read_bytes_total 100
# HELP ceso_backup_written_bytes_total Bytes written to backup targets.
# TYPE ceso_backup_written_bytes_total counter
ceso_backup_written_bytes_total 4096
# HELP ceso_restore_uploaded_bytes_total Disk bytes uploaded to the host by restores.
# TYPE ceso_restore_uploaded_bytes_total counter
ceso_restore_uploaded_bytes_total 8192
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"ceso_backup_last_success_timestamp_seconds", "ceso_backup_last_verified_timestamp_seconds",
		"ceso_backup_size_bytes", "ceso_backup_verify_read_bytes_total", "ceso_backup_written_bytes_total",
		"ceso_restore_uploaded_bytes_total"); err != nil {
		t.Error(err)
	}
	for _, tt := range []struct {
		h    *prometheus.HistogramVec
		want int
	}{{m.backup, 2}, {m.restore, 2}, {m.verify, 3}} {
		if n := testutil.CollectAndCount(tt.h); n != tt.want {
			t.Errorf("%d duration series, want %d (one per status)", n, tt.want)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 9 {
		t.Errorf("%d families gathered, want all 9 touched", len(families))
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

// TestTimestampGaugesOnlyMoveForward: an older report (a verification of
// an old backup, a catalog loaded late) never moves a VM's times back.
func TestTimestampGaugesOnlyMoveForward(t *testing.T) {
	m := RegisterMetrics(prometheus.NewRegistry())
	m.now = func() time.Time { return t0 }
	m.BackupFinished("web", StatusSuccess, time.Minute, 500, true)
	m.VerifyFinished("web", t0.Add(-48*time.Hour), StatusSuccess, time.Second, 10)
	err := m.LoadCatalog(fakeLister{{VMName: "web", Timestamp: t0.Add(-time.Hour), Size: 1, Status: storage.StatusComplete}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		g    prometheus.Collector
		want float64
	}{
		{"last success", m.lastSuccess.WithLabelValues("web"), unix(t0)},
		{"last verified", m.lastVerified.WithLabelValues("web"), unix(t0)},
		{"size", m.size.WithLabelValues("web"), 500},
	} {
		if got := testutil.ToFloat64(tt.g); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
		}
	}
}

type fakeLister []storage.Entry

func (f fakeLister) ListBackups(vm string) ([]storage.Entry, error) {
	if vm != "" {
		return nil, errors.New("want every VM")
	}
	if len(f) == 0 {
		return nil, errors.New("catalog unreadable")
	}
	return f, nil
}

// TestLoadCatalog: each VM's gauges come from its newest complete backup
// and its newest verified one; failed and deleting entries do not count.
func TestLoadCatalog(t *testing.T) {
	m := RegisterMetrics(prometheus.NewRegistry())
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	verified := func(e storage.Entry) storage.Entry {
		e.LastVerified, e.VerifyOK = e.Timestamp.Add(time.Minute), true
		return e
	}
	entries := fakeLister{
		verified(storage.Entry{VMName: "web", Timestamp: at(-50), Size: 10, Status: storage.StatusComplete}),
		{VMName: "web", Timestamp: at(-2), Size: 20, Status: storage.StatusComplete},
		{VMName: "web", Timestamp: at(-1), Size: 30, Status: storage.StatusFailed},
		{VMName: "db", Timestamp: at(-3), Size: 40, Status: storage.StatusComplete, LastVerified: at(0), VerifyOK: false},
	}
	if err := m.LoadCatalog(entries); err != nil {
		t.Fatal(err)
	}
	want := map[string][3]float64{ // size, last success, last verified
		"web": {20, unix(at(-2)), unix(at(-50))},
		"db":  {40, unix(at(-3)), 0},
	}
	for vm, w := range want {
		got := [3]float64{testutil.ToFloat64(m.size.WithLabelValues(vm)), testutil.ToFloat64(m.lastSuccess.WithLabelValues(vm)),
			testutil.ToFloat64(m.lastVerified.WithLabelValues(vm))}
		if got != w {
			t.Errorf("%s: size, success, verified = %v, want %v", vm, got, w)
		}
	}
	if err := m.LoadCatalog(fakeLister{}); err == nil || !strings.Contains(err.Error(), "catalog unreadable") {
		t.Errorf("LoadCatalog of a failing catalog = %v", err)
	}
}

// TestOperationsReportToTheObserver runs real operations with the
// Prometheus observer.
func TestOperationsReportToTheObserver(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	reg := prometheus.NewRegistry()
	e.d.Metrics = RegisterMetrics(reg)
	entry := e.backup(t, CreateRequest{Verify: true})
	if _, err := Create(ctxT(t), e.d, CreateRequest{VM: src, Readers: MaxReaders + 1}); !errors.Is(err, ErrInvalidRequest) {
		t.Fatal(err)
	}
	if _, err := Verify(ctxT(t), e.d, entry.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyAll(ctxT(t), e.d, src); err != nil {
		t.Fatal(err)
	}
	res, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2"})
	if err != nil {
		t.Fatal(err)
	}
	m := e.d.Metrics.(*Metrics)
	for _, tt := range []struct {
		name    string
		c       prometheus.Collector
		atLeast float64
		exactly bool
	}{
		{name: "size", c: m.size.WithLabelValues(src), atLeast: float64(entry.Size), exactly: true},
		{name: "written", c: m.written, atLeast: float64(entry.Size)},
		{name: "verify read", c: m.verifyRead, atLeast: float64(entry.Size)}, // two verifications of its stored files
		{name: "uploaded", c: m.uploaded, atLeast: float64(res.Bytes), exactly: true},
		{name: "last verified", c: m.lastVerified.WithLabelValues(src), atLeast: unix(entry.Timestamp)},
	} {
		got := testutil.ToFloat64(tt.c)
		if got < tt.atLeast || (tt.exactly && got != tt.atLeast) || got == 0 {
			t.Errorf("%s = %v, want %v", tt.name, got, tt.atLeast)
		}
	}
	if got := testutil.ToFloat64(m.verifyRead); got > float64(2*entry.Size) {
		t.Errorf("verify read %v bytes, more than twice the backup's %d", got, entry.Size)
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
		"ceso_backup_verify_duration_seconds/success": 2,
		"ceso_restore_duration_seconds/success":       1,
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
}
