package metrics

// ObserveOperation counts an operation and, unless it was refused before it
// ran, records its duration. It implements ops.Observer. A status other
// than success, failure, refused or partial is counted as "other".
func (m *Metrics) ObserveOperation(op, st string, seconds float64) {
	op, st = m.ops.value(op), status(st)
	m.opTotal.WithLabelValues(op, st).Inc()
	if st != "refused" || seconds > 0 {
		m.opDuration.WithLabelValues(op, st).Observe(seconds)
	}
}

// SSHFallback counts a write of op sent over SSH because the API refused it
// (the free licence).
func (m *Metrics) SSHFallback(op string) {
	m.sshFallback.WithLabelValues(m.ops.value(op)).Inc()
}

// SetPool reports how many sessions of the pool are lent out and how many
// are logged in and idle. Negative counts are taken as 0.
func (m *Metrics) SetPool(inUse, idle int) {
	m.poolInUse.Set(float64(max(inUse, 0)))
	m.poolIdle.Set(float64(max(idle, 0)))
}

// Login counts a successful login to the host.
func (m *Metrics) Login() { m.logins.Inc() }

// SandboxDenied counts an operation the sandbox refused in mode.
func (m *Metrics) SandboxDenied(op, mode string) {
	m.denials.WithLabelValues(m.ops.value(op), m.modes.value(mode)).Inc()
}

// AuditWriteFailed counts an audit record that could not be written.
func (m *Metrics) AuditWriteFailed() { m.auditFailures.Inc() }

// SetJobs reports the daemon's jobs waiting and running. Negative counts
// are taken as 0.
func (m *Metrics) SetJobs(queued, running int) {
	m.jobsQueued.Set(float64(max(queued, 0)))
	m.jobsRunning.Set(float64(max(running, 0)))
}
