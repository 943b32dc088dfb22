package backup

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// durationBuckets cover a small VM's verification (seconds) to a large
// VM's backup over a slow link (hours).
var durationBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800}

// Metrics is the Prometheus Observer of the backup engine:
//
//	ceso_backup_size_bytes{vm_name}                      bytes stored by the VM's last successful backup
//	ceso_backup_last_success_timestamp_seconds{vm_name}  when the VM's last backup succeeded
//	ceso_backup_duration_seconds{status}                 backup durations (histogram)
//	ceso_restore_duration_seconds{status}                restore durations (histogram)
//	ceso_backup_verify_duration_seconds{status}          verification durations (histogram)
//	ceso_backup_written_bytes_total                      bytes written to backup targets
//
// status is success, failure or refused. The VM name is a label of the two
// gauges only, one series per VM, never of a histogram.
type Metrics struct {
	size        *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	backup      *prometheus.HistogramVec
	restore     *prometheus.HistogramVec
	verify      *prometheus.HistogramVec
	written     prometheus.Counter
	now         func() time.Time
}

var _ Observer = (*Metrics)(nil)

// RegisterMetrics makes the collectors and registers them on reg. It panics
// if they are registered twice, as prometheus.MustRegister does.
func RegisterMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		size: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "ceso", Subsystem: "backup", Name: "size_bytes",
			Help: "Bytes stored on the target by the last successful backup of the VM.",
		}, []string{"vm_name"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "ceso", Subsystem: "backup", Name: "last_success_timestamp_seconds",
			Help: "Unix time at which the last successful backup of the VM ended.",
		}, []string{"vm_name"}),
		backup:  histogram("backup", "duration_seconds", "Duration of backups, by outcome."),
		restore: histogram("restore", "duration_seconds", "Duration of restores, by outcome."),
		verify:  histogram("backup", "verify_duration_seconds", "Duration of backup verifications, by outcome."),
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "ceso", Subsystem: "backup", Name: "written_bytes_total",
			Help: "Bytes written to backup targets.",
		}),
		now: time.Now,
	}
	reg.MustRegister(m.size, m.lastSuccess, m.backup, m.restore, m.verify, m.written)
	return m
}

func histogram(subsystem, name, help string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "ceso", Subsystem: subsystem, Name: name, Help: help, Buckets: durationBuckets,
	}, []string{"status"})
}

// BackupFinished records a backup's duration and, on success, the VM's
// backup size and time.
func (m *Metrics) BackupFinished(vm, status string, d time.Duration, stored int64) {
	m.backup.WithLabelValues(status).Observe(d.Seconds())
	if status == StatusSuccess {
		m.size.WithLabelValues(vm).Set(float64(stored))
		m.lastSuccess.WithLabelValues(vm).Set(float64(m.now().UnixNano()) / 1e9)
	}
}

// RestoreFinished records a restore's duration.
func (m *Metrics) RestoreFinished(status string, d time.Duration) {
	m.restore.WithLabelValues(status).Observe(d.Seconds())
}

// VerifyFinished records a verification's duration.
func (m *Metrics) VerifyFinished(status string, d time.Duration) {
	m.verify.WithLabelValues(status).Observe(d.Seconds())
}

// BytesWritten counts bytes written to a target.
func (m *Metrics) BytesWritten(n int64) {
	if n > 0 {
		m.written.Add(float64(n))
	}
}
