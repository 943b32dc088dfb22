package promtest

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config renders the server's configuration: one scrape job per target
// (loopback addresses only) and the rule files, scraped and evaluated
// every opts.ScrapeInterval.
func Config(targets []Target, opts Options) ([]byte, error) {
	opts = withDefaults(opts)
	interval := opts.ScrapeInterval.String()
	type static struct {
		Targets []string `yaml:"targets"`
	}
	type job struct {
		Name          string   `yaml:"job_name"`
		MetricsPath   string   `yaml:"metrics_path"`
		StaticConfigs []static `yaml:"static_configs"`
	}
	var jobs []job
	seen := map[string]bool{}
	for i, t := range targets {
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("target %d: %w", i, err)
		}
		if seen[t.Job] {
			return nil, fmt.Errorf("target %d: job %q twice", i, t.Job)
		}
		seen[t.Job] = true
		path := t.Path
		if path == "" {
			path = "/metrics"
		}
		jobs = append(jobs, job{Name: t.Job, MetricsPath: path, StaticConfigs: []static{{Targets: []string{t.Addr}}}})
	}
	var rules []string
	for _, r := range opts.RuleFiles {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("rule file %s: %w", r, err)
		}
		rules = append(rules, abs)
	}
	return yaml.Marshal(map[string]any{
		"global": map[string]string{
			"scrape_interval": interval, "scrape_timeout": interval, "evaluation_interval": interval,
		},
		"rule_files":     rules,
		"scrape_configs": jobs,
	})
}

func (t Target) check() error {
	if t.Job == "" {
		return fmt.Errorf("job: empty")
	}
	host, _, err := net.SplitHostPort(t.Addr)
	if err != nil {
		return fmt.Errorf("addr: want host:port, got %q", t.Addr)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("addr: want a loopback address, got %q", t.Addr)
	}
	if t.Path != "" && !strings.HasPrefix(t.Path, "/") {
		return fmt.Errorf("path: want a path starting with /, got %q", t.Path)
	}
	return nil
}
