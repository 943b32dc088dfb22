package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	dashboardFile = filepath.Join("grafana", "ceso-dashboard.json")
	rulesFile     = filepath.Join("prometheus", "ceso-rules.yml")
	rulesTestFile = filepath.Join("prometheus", "ceso-rules.test.yml")
)

// expr is one PromQL expression and where it comes from.
type expr struct {
	where string
	text  string
}

// ruleFile is the part of a Prometheus rule file the checks read.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// ruleExprs returns the expressions of the rules file and the names of its
// recording rules.
func ruleExprs(t *testing.T) ([]expr, map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	var out []expr
	records := map[string]bool{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			name := r.Record + r.Alert
			if r.Record != "" {
				records[r.Record] = true
			}
			out = append(out, expr{fmt.Sprintf("%s: group %s: rule %s", rulesFile, g.Name, name), r.Expr})
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d rules in %s", len(out), rulesFile)
	}
	return out, records
}

// labelValues matches a Grafana variable query label_values(SELECTOR, label).
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*[a-zA-Z_]\w*\)$`)

// dashboardExprs returns every query of the committed dashboard, Grafana's
// variables replaced (see expand), and the selectors of its variable
// queries.
func dashboardExprs(t *testing.T) []expr {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Templating struct {
			List []struct {
				Name, Type string
				Query      any
			}
		}
		Panels []struct {
			Title   string
			Targets []struct{ Expr, RefID string }
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var out []expr
	for _, v := range d.Templating.List {
		q, _ := v.Query.(string)
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(q)
		if m == nil {
			t.Fatalf("%s: variable %s: query %q is not label_values(SELECTOR, label)", dashboardFile, v.Name, q)
		}
		out = append(out, expr{fmt.Sprintf("%s: variable %s", dashboardFile, v.Name), expand(m[1])})
	}
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			out = append(out, expr{fmt.Sprintf("%s: panel %q: query %s", dashboardFile, p.Title, q.RefID), expand(q.Expr)})
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d queries in %s", len(out), dashboardFile)
	}
	return out
}

var (
	grafanaDurations = regexp.MustCompile(`\$\{?__(rate_interval|interval|range)\}?`)
	grafanaVariables = regexp.MustCompile(`\$\{\w+(:\w+)?\}|\$\w+`)
)

// expand replaces Grafana's variables by values Prometheus accepts: the
// interval variables by a duration, the others (inside label matchers) by
// a word.
func expand(s string) string {
	s = grafanaDurations.ReplaceAllString(s, "5m")
	return grafanaVariables.ReplaceAllString(s, "x")
}
