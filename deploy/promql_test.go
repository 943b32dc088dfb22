package deploy

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/metrics"
	"github.com/ceso/ceso/pkg/metrics/metricstest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// prometheusSeries are series Prometheus makes itself, not ceso.
var prometheusSeries = map[string]bool{"up": true}

// exported returns every series name ceso's registry exports (each
// histogram's _bucket, _sum and _count included), with every collector
// touched, the backup engine's included, and the families by name.
func exported(t *testing.T) (map[string]bool, map[string]*dto.MetricFamily) {
	t.Helper()
	m := metrics.New(true)
	metricstest.Touch(m)
	b := backup.RegisterMetrics(m.Registry())
	b.BackupFinished("web", backup.StatusSuccess, time.Minute, 10, true)
	b.VerifyFinished("web", time.Now(), backup.StatusSuccess, time.Second, 10)
	b.RestoreFinished(backup.StatusSuccess, time.Minute, 10)
	b.BytesWritten(10)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
		names[f.GetName()] = true
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[f.GetName()+s] = true
			}
		case dto.MetricType_SUMMARY:
			names[f.GetName()+"_sum"], names[f.GetName()+"_count"] = true, true
		}
	}
	if len(byName) < 20 {
		t.Fatalf("only %d families gathered", len(byName))
	}
	return names, byName
}

// metricNames parses e with Prometheus' parser and returns the metric names
// its selectors use.
func metricNames(e expr) ([]string, error) {
	ast, err := parser.NewParser(parser.Options{}).ParseExpr(e.text)
	if err != nil {
		return nil, err
	}
	var names []string
	var bad error
	parser.Inspect(ast, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, m := range vs.LabelMatchers {
			if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
				name = m.Value
			}
		}
		if name == "" {
			bad = errors.New("a selector without a metric name: " + vs.String())
		}
		names = append(names, name)
		return nil
	})
	return names, bad
}

// TestPromQLNamesExist parses every expression of the dashboard and the
// rules with Prometheus' own parser and checks that each metric it names
// is one ceso exports, a recording rule of ceso-rules.yml, or a series
// Prometheus makes (up).
func TestPromQLNamesExist(t *testing.T) {
	known, _ := exported(t)
	rules, records := ruleExprs(t)
	checked := 0
	for _, e := range append(dashboardExprs(t), rules...) {
		names, err := metricNames(e)
		if err != nil {
			t.Errorf("%s: %v\n%s", e.where, err, e.text)
			continue
		}
		if len(names) == 0 {
			t.Errorf("%s: no metric in %q", e.where, e.text)
		}
		for _, n := range names {
			checked++
			if !known[n] && !records[n] && !prometheusSeries[n] {
				t.Errorf("%s: %s is not a metric of ceso nor a recording rule", e.where, n)
			}
		}
	}
	if checked < 40 {
		t.Fatalf("only %d metric references checked", checked)
	}
}

// TestEveryMetricIsOnTheDashboard: each ceso metric is shown somewhere.
func TestEveryMetricIsOnTheDashboard(t *testing.T) {
	_, families := exported(t)
	used := map[string]bool{}
	for _, e := range dashboardExprs(t) {
		names, err := metricNames(e)
		if err != nil {
			t.Fatalf("%s: %v", e.where, err)
		}
		for _, n := range names {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				if base, ok := strings.CutSuffix(n, s); ok && families[base] != nil {
					n = base
				}
			}
			used[n] = true
		}
	}
	var missing []string
	for name := range families {
		if strings.HasPrefix(name, "ceso_") && !used[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("not on the dashboard: %s", strings.Join(missing, ", "))
	}
}

// TestMetricNamesCatchesTypos shows the check fails on a wrong name and a
// broken expression, with the place named.
func TestMetricNamesCatchesTypos(t *testing.T) {
	known, _ := exported(t)
	names, err := metricNames(expr{"x", `sum(rate(ceso_vm_operations_total[5m])) / on() group_left up`})
	if err != nil || len(names) != 2 || known[names[0]] || names[1] != "up" {
		t.Fatalf("names %v, err %v", names, err)
	}
	if _, err := metricNames(expr{"x", `sum(rate(ceso_vm_operation_total[5m]`}); err == nil {
		t.Fatal("a broken expression parsed")
	}
	if _, err := metricNames(expr{"x", `{job="ceso"}`}); err == nil {
		t.Fatal("a selector without a name passed")
	}
	if got := expand(`rate(x{job=~"$job", i=~"${instance}"}[$__rate_interval]) / $__range`); got != `rate(x{job=~"x", i=~"x"}[5m]) / 5m` {
		t.Fatalf("expand = %s", got)
	}
}
