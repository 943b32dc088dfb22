package backup

import (
	"fmt"
	"sync"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/prometheus/client_golang/prometheus"
)

// durationBuckets cover a small VM's verification (seconds) to a large
// VM's backup over a slow link (hours).
var durationBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800}

// Metrics is the Prometheus Observer of the backup engine:
//
//	ceso_backup_size_bytes{vm_name}                       bytes stored by the VM's last successful backup
//	ceso_backup_last_success_timestamp_seconds{vm_name}   when the VM's last backup succeeded
//	ceso_backup_last_verified_timestamp_seconds{vm_name}  when the VM's newest verified backup was taken
//	ceso_backup_duration_seconds{status}                  backup durations (histogram)
//	ceso_backup_verify_duration_seconds{status}           verification durations (histogram)
//	ceso_restore_duration_seconds{status}                 restore durations (histogram)
//	ceso_backup_written_bytes_total                       bytes written to backup targets
//	ceso_backup_verify_read_bytes_total                   stored bytes read by verifications that passed
//	ceso_restore_uploaded_bytes_total                     disk bytes uploaded to the host by restores
//
// status is success, failure or refused. The VM name is a label of the
// three gauges only, one series per VM, never of a histogram. Its methods
// are safe for concurrent use.
type Metrics struct {
	size         *prometheus.GaugeVec
	lastSuccess  *prometheus.GaugeVec
	lastVerified *prometheus.GaugeVec
	backup       *prometheus.HistogramVec
	restore      *prometheus.HistogramVec
	verify       *prometheus.HistogramVec
	written      prometheus.Counter
	verifyRead   prometheus.Counter
	uploaded     prometheus.Counter
	now          func() time.Time

	// The times the two timestamp gauges hold, per VM: they only move
	// forward, whatever the order of the reports.
	mu       sync.Mutex
	success  map[string]time.Time
	verified map[string]time.Time
}

var _ Observer = (*Metrics)(nil)

// RegisterMetrics makes the collectors and registers them on reg. It panics
// if they are registered twice, as prometheus.MustRegister does.
func RegisterMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		size: perVM("size_bytes", "Bytes stored on the target by the last successful backup of the VM."),
		lastSuccess: perVM("last_success_timestamp_seconds",
			"Unix time at which the last successful backup of the VM ended (loaded from the catalog: when it was taken)."),
		lastVerified: perVM("last_verified_timestamp_seconds",
			"Unix time at which the newest backup of the VM that passed verification was taken."),
		backup:     histogram("backup", "duration_seconds", "Duration of backups, by outcome."),
		restore:    histogram("restore", "duration_seconds", "Duration of restores, by outcome."),
		verify:     histogram("backup", "verify_duration_seconds", "Duration of backup verifications, by outcome."),
		written:    counter("backup", "written_bytes_total", "Bytes written to backup targets."),
		verifyRead: counter("backup", "verify_read_bytes_total", "Stored bytes read by backup verifications that passed."),
		uploaded:   counter("restore", "uploaded_bytes_total", "Disk bytes uploaded to the host by restores."),
		now:        time.Now,
		success:    map[string]time.Time{},
		verified:   map[string]time.Time{},
	}
	reg.MustRegister(m.size, m.lastSuccess, m.lastVerified, m.backup, m.restore, m.verify,
		m.written, m.verifyRead, m.uploaded)
	return m
}

func perVM(name, help string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "ceso", Subsystem: "backup", Name: name, Help: help,
	}, []string{"vm_name"})
}

func histogram(subsystem, name, help string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "ceso", Subsystem: subsystem, Name: name, Help: help, Buckets: durationBuckets,
	}, []string{"status"})
}

func counter(subsystem, name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "ceso", Subsystem: subsystem, Name: name, Help: help})
}

// BackupFinished records a backup's duration and, on success, the VM's
// backup size and time (and, when it was verified as it was taken, the
// VM's newest verified backup).
func (m *Metrics) BackupFinished(vm, status string, d time.Duration, stored int64, verified bool) {
	m.backup.WithLabelValues(status).Observe(d.Seconds())
	if status != StatusSuccess {
		return
	}
	now := m.now()
	m.succeededAt(vm, now, stored)
	if verified {
		m.verifiedAt(vm, now)
	}
}

// RestoreFinished records a restore's duration and the bytes it uploaded.
func (m *Metrics) RestoreFinished(status string, d time.Duration, uploaded int64) {
	m.restore.WithLabelValues(status).Observe(d.Seconds())
	if uploaded > 0 {
		m.uploaded.Add(float64(uploaded))
	}
}

// VerifyFinished records a verification's duration and, when it passed,
// the bytes it read and the VM's newest verified backup.
func (m *Metrics) VerifyFinished(vm string, taken time.Time, status string, d time.Duration, read int64) {
	m.verify.WithLabelValues(status).Observe(d.Seconds())
	if status != StatusSuccess {
		return
	}
	if read > 0 {
		m.verifyRead.Add(float64(read))
	}
	if vm != "" && !taken.IsZero() {
		m.verifiedAt(vm, taken)
	}
}

// succeededAt moves the VM's last successful backup forward to at, with
// its size.
func (m *Metrics) succeededAt(vm string, at time.Time, stored int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if at.After(m.success[vm]) {
		m.success[vm] = at
		m.lastSuccess.WithLabelValues(vm).Set(unix(at))
		m.size.WithLabelValues(vm).Set(float64(stored))
	}
}

// verifiedAt moves the VM's newest verified backup forward to taken.
func (m *Metrics) verifiedAt(vm string, taken time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if taken.After(m.verified[vm]) {
		m.verified[vm] = taken
		m.lastVerified.WithLabelValues(vm).Set(unix(taken))
	}
}

// BytesWritten counts bytes written to a target.
func (m *Metrics) BytesWritten(n int64) {
	if n > 0 {
		m.written.Add(float64(n))
	}
}

// Lister lists catalog entries; *storage.Catalog implements it.
type Lister interface {
	ListBackups(vmName string) ([]storage.Entry, error)
}

// LoadCatalog sets the per-VM gauges from the catalog's complete backups:
// size and time of each VM's newest backup, and the time of its newest
// verified one. A process calls it when it starts, so that a scrape (or a
// textfile written by a command that backed nothing up) still shows every
// VM's backup age, and an alert on it cannot fall silent because a VM's
// series is missing.
func (m *Metrics) LoadCatalog(c Lister) error {
	entries, err := c.ListBackups("")
	if err != nil {
		return fmt.Errorf("loading backup metrics from the catalog: %w", err)
	}
	for _, e := range entries {
		if e.Status != storage.StatusComplete {
			continue
		}
		m.succeededAt(e.VMName, e.Timestamp, e.Size)
		if e.Verified() {
			m.verifiedAt(e.VMName, e.Timestamp)
		}
	}
	return nil
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
