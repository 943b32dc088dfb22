package metrics_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/metrics"
	"github.com/ceso/ceso/pkg/metrics/metricstest"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

var update = flag.Bool("update", false, "rewrite testdata/touched.prom")

// TestTouchCoversEveryCollector makes sure metricstest.Touch leaves no
// collector without a series, so that the tests below (and the PromQL name
// check of the dashboard and the rules) see every metric.
func TestTouchCoversEveryCollector(t *testing.T) {
	m := metrics.New(false)
	metricstest.Touch(m)
	cs := metrics.Collectors(m)
	if len(cs) < 13 {
		t.Fatalf("found %d collectors: the reflection walk is broken", len(cs))
	}
	for name, c := range cs {
		if testutil.CollectAndCount(c) == 0 {
			t.Errorf("metricstest.Touch records nothing in %s", name)
		}
	}
}

// TestExposition compares the whole exposition of a touched registry (but
// the build info, whose labels depend on the build) with
// testdata/touched.prom; go test -update rewrites it.
func TestExposition(t *testing.T) {
	m := metrics.New(false)
	metricstest.Touch(m)
	text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.SplitAfter(string(text), "\n") {
		if !strings.Contains(line, "ceso_build_info") {
			kept = append(kept, line)
		}
	}
	got := []byte(strings.Join(kept, ""))
	golden := filepath.Join("testdata", "touched.prom")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("exposition differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
	names := metricNames(t, want)
	if err := testutil.GatherAndCompare(m.Registry(), bytes.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

func metricNames(t *testing.T, text []byte) []string {
	t.Helper()
	var names []string
	for _, line := range strings.Split(string(text), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			names = append(names, strings.Fields(name)[0])
		}
	}
	if len(names) < 13 {
		t.Fatalf("only %d metric families in the golden file", len(names))
	}
	return names
}

// TestLint runs promlint over the registry with every metric touched, the
// Go and process collectors included (their own names are theirs).
func TestLint(t *testing.T) {
	m := metrics.New(true)
	metricstest.Touch(m)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(families).Lint()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "ceso_") {
			seen++
			if f.GetHelp() == "" {
				t.Errorf("%s has no help text", f.GetName())
			}
		}
	}
	if seen < 14 {
		t.Errorf("only %d ceso metric families gathered", seen)
	}
	for _, p := range problems {
		if !strings.HasPrefix(p.Metric, "go_") && !strings.HasPrefix(p.Metric, "process_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}
