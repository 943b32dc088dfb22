package metrics

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Metrics holds ceso's collectors and the registry they are on.
type Metrics struct {
	reg *prometheus.Registry

	opDuration *prometheus.HistogramVec
	opTotal    *prometheus.CounterVec
}

// opBuckets cover a quick list (tens of ms) to a large disk copy (an hour).
var opBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}

// New makes the collectors on a new private registry. withProcess adds the
// Go and process collectors (for the daemon; a one-shot CLI leaves them out).
func New(withProcess bool) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "ceso",
			Subsystem: "vm",
			Name:      "operation_duration_seconds",
			Help:      "Duration of ceso operations that ran, by operation and status.",
			Buckets:   opBuckets,
		}, []string{"operation", "status"}),
		opTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ceso",
			Subsystem: "vm",
			Name:      "operation_total",
			Help:      "Operations asked of ceso, by operation and status (success, failure, refused, partial).",
		}, []string{"operation", "status"}),
	}
	m.reg.MustRegister(m.opDuration, m.opTotal)
	if withProcess {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// Registry is the private registry, for further collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveOperation counts an operation and, unless it was refused before it
// ran, records its duration. It implements ops.Observer.
func (m *Metrics) ObserveOperation(op, status string, seconds float64) {
	m.opTotal.WithLabelValues(op, status).Inc()
	if status != "refused" || seconds > 0 {
		m.opDuration.WithLabelValues(op, status).Observe(seconds)
	}
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Text renders the registry in the text exposition format.
func (m *Metrics) Text() ([]byte, error) {
	families, err := m.reg.Gather()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// WriteTextfile writes the metrics to path atomically (a temporary file
// renamed into place), as node_exporter's textfile collector wants.
func (m *Metrics) WriteTextfile(path string) error {
	text, err := m.Text()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ceso-metrics-*")
	if err != nil {
		return fmt.Errorf("writing metrics textfile: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(text); err != nil {
		tmp.Close()
		return fmt.Errorf("writing metrics textfile: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
