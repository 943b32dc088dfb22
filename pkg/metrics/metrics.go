package metrics

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Namespace is the prefix of every ceso metric.
const Namespace = "ceso"

// Metrics holds ceso's collectors and the registry they are on. Its methods
// are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	// Operations (pkg/ops runner).
	opDuration *prometheus.HistogramVec
	opTotal    *prometheus.CounterVec

	// ESXi layer.
	apiDuration *prometheus.HistogramVec
	apiErrors   *prometheus.CounterVec
	reachable   *prometheus.GaugeVec // no labels: absent until the first call
	sshFallback *prometheus.CounterVec
	poolInUse   prometheus.Gauge
	poolIdle    prometheus.Gauge
	logins      prometheus.Counter

	// Guards.
	denials       *prometheus.CounterVec
	auditFailures prometheus.Counter

	// Daemon jobs.
	jobsQueued  prometheus.Gauge
	jobsRunning prometheus.Gauge

	// Label values of open sets, bounded (see labels.go).
	ops   *boundedLabel
	modes *boundedLabel
}

// opBuckets cover a quick list (tens of ms) to a large disk copy (an hour).
var opBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 90, 120, 300, 600, 1800, 3600}

// apiBuckets cover one SOAP round trip on a LAN (ms) to a slow task poll
// or a login over a bad link (tens of seconds).
var apiBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// New makes the collectors on a new private registry. withProcess adds the
// Go and process collectors (for the daemon; a one-shot CLI leaves them out).
func New(withProcess bool) *Metrics {
	return newMetrics(withProcess, readBuildInfo())
}

func newMetrics(withProcess bool, build BuildInfo) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "vm", Name: "operation_duration_seconds",
			Help:    "Duration of ceso operations that ran, by operation and status.",
			Buckets: opBuckets,
		}, []string{"operation", "status"}),
		opTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "vm", Name: "operation_total",
			Help: "Operations asked of ceso, by operation and status (success, failure, refused, partial).",
		}, []string{"operation", "status"}),
		apiDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "esxi", Name: "api_call_duration_seconds",
			Help:    "Duration of ESXi API calls, failed ones included, by method class (session, read, task, lease, other).",
			Buckets: apiBuckets,
		}, []string{"class"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "esxi", Name: "api_errors_total",
			Help: "ESXi API calls that failed, by method class and error kind (connection, auth, not-found, refused, timeout, canceled, unknown).",
		}, []string{"class", "kind"}),
		reachable: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "esxi", Name: "reachable",
			Help: "1 if the last ESXi API call reached the host (a fault answered by the host counts), 0 if it could not connect.",
		}, nil),
		sshFallback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "ssh", Name: "fallback_total",
			Help: "Writes sent over SSH (vim-cmd, vmkfstools) because the API refused them, by operation.",
		}, []string{"operation"}),
		poolInUse: gauge("esxi", "sessions_in_use", "ESXi sessions of the pool lent to a caller right now."),
		poolIdle:  gauge("esxi", "sessions_idle", "ESXi sessions of the pool logged in and waiting for a caller."),
		logins: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "esxi", Name: "session_logins_total",
			Help: "Successful logins to the ESXi host (a reused cached session is not a login).",
		}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "sandbox", Name: "denials_total",
			Help: "Operations the sandbox refused, by operation and security mode.",
		}, []string{"operation", "mode"}),
		auditFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "audit", Name: "write_failures_total",
			Help: "Audit records that could not be written (the operation was refused or reported as failed).",
		}),
		jobsQueued:  gauge("jobs", "queued", "Jobs of the daemon waiting to run."),
		jobsRunning: gauge("jobs", "running", "Jobs of the daemon running now."),
		ops:         newBoundedLabel(maxOperations),
		modes:       newBoundedLabel(maxModes),
	}
	m.reg.MustRegister(m.opDuration, m.opTotal, m.apiDuration, m.apiErrors, m.reachable, m.sshFallback,
		m.poolInUse, m.poolIdle, m.logins, m.denials, m.auditFailures, m.jobsQueued, m.jobsRunning,
		buildInfoCollector(build))
	if withProcess {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

func gauge(subsystem, name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: subsystem, Name: name, Help: help})
}

// BuildInfo is what ceso_build_info reports about the binary.
type BuildInfo struct {
	Version   string // module version, "(devel)" for a build from a checkout
	Revision  string // VCS revision, "" when unknown
	GoVersion string
}

func readBuildInfo() BuildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return BuildInfo{}
	}
	b := BuildInfo{Version: info.Main.Version, GoVersion: info.GoVersion}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			b.Revision = s.Value
		}
	}
	return b
}

func buildInfoCollector(b BuildInfo) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "build_info",
		Help: "Always 1; the labels name the ceso version, VCS revision and Go version of the binary.",
		ConstLabels: prometheus.Labels{
			"version": orUnknown(b.Version), "revision": orUnknown(b.Revision), "goversion": orUnknown(b.GoVersion),
		},
	})
	g.Set(1)
	return g
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Registry is the private registry, for further collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Text renders the registry in the text exposition format.
func (m *Metrics) Text() ([]byte, error) {
	families, err := m.reg.Gather()
	if err != nil {
		return nil, fmt.Errorf("gathering metrics: %w", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("encoding metric %s: %w", f.GetName(), err)
		}
	}
	return buf.Bytes(), nil
}
