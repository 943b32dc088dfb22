package promtest

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/metrics"
)

func serve(t *testing.T, m *metrics.Metrics, allow func(net.IP) bool) *metrics.Server {
	t.Helper()
	srv, err := m.Serve(context.Background(), metrics.Options{Listen: "127.0.0.1", Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv
}

// TestScrapeThroughPrometheus serves ceso's metrics with the listener,
// lets a real Prometheus scrape them, and reads them back through its
// query API; a second listener whose allowlist refuses the scraper shows
// as down. The rules file is loaded and a recording rule evaluates.
func TestScrapeThroughPrometheus(t *testing.T) {
	m := metrics.New(false)
	for range 3 {
		m.ObserveOperation("vm.create", "success", 2)
	}
	m.ObserveOperation("vm.create", "failure", 1)
	b := backup.RegisterMetrics(m.Registry())
	b.BackupFinished("web", backup.StatusSuccess, time.Minute, 1024, true)
	open := serve(t, m, func(ip net.IP) bool { return ip.IsLoopback() })
	closed := serve(t, metrics.New(false), func(net.IP) bool { return false })

	rules := filepath.Join("..", "..", "deploy", "prometheus", "ceso-rules.yml")
	p := Start(t, []Target{
		{Job: "ceso", Addr: open.Addr()},
		{Job: "refused", Addr: closed.Addr()},
	}, Options{RuleFiles: []string{rules}})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tt := range []struct {
		query string
		want  float64
	}{
		{`up{job="ceso"}`, 1},
		{`up{job="refused"}`, 0},
		{`ceso_vm_operation_total{job="ceso",operation="vm.create",status="success"}`, 3},
		{`ceso_vm_operation_total{job="ceso",operation="vm.create",status="failure"}`, 1},
		{`ceso_backup_size_bytes{job="ceso",vm_name="web"}`, 1024},
		{`count(ceso:backup_age_seconds{job="ceso",vm_name="web"} >= 0)`, 1},
	} {
		if _, err := p.WaitFor(ctx, tt.query, OneValue(tt.want)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConfig(t *testing.T) {
	cfg, err := Config([]Target{{Job: "ceso", Addr: "127.0.0.1:9090"}, {Job: "other", Addr: "[::1]:1", Path: "/m"}},
		Options{ScrapeInterval: 2 * time.Second, RuleFiles: []string{"r.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	for _, want := range []string{"job_name: ceso", "- 127.0.0.1:9090", "metrics_path: /m", "scrape_interval: 2s",
		"scrape_timeout: 2s", filepath.Join(wd, "r.yml")} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	for _, tt := range []struct {
		targets []Target
		want    string
	}{
		{[]Target{{Addr: "127.0.0.1:1"}}, "job: empty"},
		{[]Target{{Job: "a", Addr: "10.0.0.1:9090"}}, "loopback"},
		{[]Target{{Job: "a", Addr: "localhost"}}, "host:port"},
		{[]Target{{Job: "a", Addr: "127.0.0.1:1", Path: "m"}}, "path"},
		{[]Target{{Job: "a", Addr: "127.0.0.1:1"}, {Job: "a", Addr: "127.0.0.1:2"}}, "twice"},
	} {
		if _, err := Config(tt.targets, Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Config(%v) = %v, want an error about %s", tt.targets, err, tt.want)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []Sample
		err        string
	}{
		{"vector", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"ceso"},"value":[1,"3"]}]}}`,
			[]Sample{{map[string]string{"job": "ceso"}, 3}}, ""},
		{"scalar", `{"status":"success","data":{"resultType":"scalar","result":[1,"2.5"]}}`, []Sample{{map[string]string{}, 2.5}}, ""},
		{"error", `{"status":"error","errorType":"bad_data","error":"parse error"}`, nil, "bad_data: parse error"},
		{"matrix", `{"status":"success","data":{"resultType":"matrix","result":[]}}`, nil, "result type"},
		{"not json", `<html>`, nil, "HTTP 200"},
		{"bad value", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}`, nil, "sample value"},
		{"number value", `{"status":"success","data":{"resultType":"scalar","result":[1,2]}}`, nil, "not a string"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decode("q", 200, []byte(tt.body))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) || got[0].Value != tt.want[0].Value || len(got[0].Labels) != len(tt.want[0].Labels) {
				t.Fatalf("decode = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestStartWithoutTheBinary: a missing binary skips (outside CI).
func TestStartWithoutTheBinary(t *testing.T) {
	if _, err := binary("no-such-prometheus"); err == nil || !strings.Contains(err.Error(), "Debian's prometheus package") {
		t.Fatalf("binary = %v", err)
	}
}
