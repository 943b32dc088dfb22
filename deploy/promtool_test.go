package deploy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/metrics"
	"github.com/ceso/ceso/pkg/metrics/metricstest"
	"gopkg.in/yaml.v3"
)

// tool returns the path of a program the test needs. When it is missing
// the test is skipped with a message, except under CI=true, where a
// missing prerequisite is a failure.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not found: install Debian's %s package (.ci/run does)", name, debianPackage)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// run runs a program with a deadline and returns its combined output.
func run(t *testing.T, stdin []byte, dir, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestPromtoolCheckRules checks the rules file, and every dashboard query
// as a recording rule of a generated file, with promtool: Prometheus'
// parser as the server runs it, beside the library parser of
// TestPromQLNamesExist.
func TestPromtoolCheckRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	if out, err := run(t, nil, ".", promtool, "check", "rules", rulesFile); err != nil {
		t.Fatalf("promtool check rules %s: %v\n%s", rulesFile, err, out)
	}
	type rule struct {
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	}
	var rules []rule
	for i, e := range dashboardExprs(t) {
		rules = append(rules, rule{fmt.Sprintf("dashboard:query_%d", i), e.text})
	}
	data, err := yaml.Marshal(map[string]any{"groups": []map[string]any{{"name": "dashboard", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, nil, ".", promtool, "check", "rules", path)
	if err != nil || !strings.Contains(out, fmt.Sprintf("SUCCESS: %d rules found", len(rules))) {
		t.Fatalf("promtool check rules on the dashboard's queries: %v\n%s\n%s", err, out, data)
	}
}

// TestPromtoolTestRules runs the rules' unit tests.
func TestPromtoolTestRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	out, err := run(t, nil, filepath.Dir(rulesTestFile), promtool, "test", "rules", filepath.Base(rulesTestFile))
	if err != nil || !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

// TestPromtoolCheckMetrics lints a scrape of ceso's listener, every metric
// touched, with promtool check metrics.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	m := metrics.New(true)
	metricstest.Touch(m)
	srv, err := m.Serve(context.Background(), metrics.Options{Listen: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("ceso_vm_operation_total")) {
		t.Fatalf("scrape: %d, %v\n%s", resp.StatusCode, err, body)
	}
	out, err := run(t, body, ".", promtool, "check", "metrics")
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "ceso_") {
			t.Errorf("promtool check metrics: %s", line)
		}
	}
}
