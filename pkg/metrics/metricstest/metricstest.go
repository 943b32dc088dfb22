package metricstest

import (
	"errors"
	"time"

	"github.com/ceso/ceso/pkg/metrics"
)

// Touch records one sample in every collector of m: an operation of each
// status, API calls of every class (one failed), an SSH fallback, the pool,
// a login, a sandbox denial, an audit failure and the jobs.
func Touch(m *metrics.Metrics) {
	for _, st := range []string{"success", "failure", "refused", "partial"} {
		m.ObserveOperation("vm.create", st, 1)
	}
	for _, c := range []string{metrics.ClassSession, metrics.ClassRead, metrics.ClassTask, metrics.ClassLease, metrics.ClassOther} {
		m.ObserveAPICall(c, 10*time.Millisecond, nil)
	}
	m.ObserveAPICall(metrics.ClassRead, time.Second, errors.New("host answered with a fault"))
	m.SSHFallback("vm.power.on")
	m.SetPool(1, 3)
	m.Login()
	m.SandboxDenied("vm.delete", "read-only")
	m.AuditWriteFailed()
	m.SetJobs(2, 1)
}
