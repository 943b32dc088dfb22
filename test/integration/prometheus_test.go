package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/test/promtest"
)

// TestRealPrometheusScrapesCeso runs the brief's command — `ceso
// --metrics-enabled vm create …` — as a process against the simulator,
// with Debian's Prometheus scraping it on loopback, and asks Prometheus
// through its query API what it saw. The one-shot process lingers until
// one scrape after its work, then exits, after which Prometheus marks its
// series stale: the assertions look back over the run with max_over_time.
func TestRealPrometheusScrapesCeso(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the ceso binary and starts Prometheus")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ceso")
	build := exec.Command("go", "build", "-o", bin, "github.com/ceso/ceso/cmd/ceso")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ceso: %v\n%s", err, out)
	}
	port := freePort(t)
	prom := promtest.Start(t, []promtest.Target{{Job: "ceso", Addr: fmt.Sprintf("127.0.0.1:%d", port)}}, promtest.Options{})

	sim := simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	home := filepath.Join(dir, "home")
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("metrics:\n  port: %d\n", port)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := simtest.Ctx(t, 3*time.Minute)
	cmd := exec.CommandContext(ctx, bin, "--config", cfg, "--metrics-enabled", "--metrics-linger", "2m",
		"vm", "create", "test-vm", "--template", esxisim.TemplateName)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	for k, v := range simtest.Env(sim, home) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ceso: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "created test-vm") || !strings.Contains(stderr.String(), fmt.Sprintf("serving metrics on http://127.0.0.1:%d/metrics", port)) {
		t.Fatalf("output:\n%s%s", stdout.String(), stderr.String())
	}
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, q := range []string{
		`max_over_time(up{job="ceso"}[10m])`,
		`max_over_time(ceso_vm_operation_total{job="ceso",operation="vm.create",status="success"}[10m])`,
	} {
		if _, err := prom.WaitFor(qctx, q, promtest.OneValue(1)); err != nil {
			t.Fatalf("%v\nceso's stderr:\n%s", err, stderr.String())
		}
	}
	// The failure counter was never touched: no series, not a zero.
	if s, err := prom.Query(qctx, `ceso_vm_operation_total{operation="vm.create",status="failure"}`); err != nil || len(s) != 0 {
		t.Fatalf("failures: %v %v", s, err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestPromtoolChecksARealScrape scrapes a running `ceso --metrics-enabled
// vm list` process and lints what it serves with `promtool check metrics`.
func TestPromtoolChecksARealScrape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the ceso binary")
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool missing (Debian package prometheus): CI installs it")
		}
		t.Skip("promtool missing (Debian package prometheus)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ceso")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ceso/ceso/cmd/ceso").CombinedOutput(); err != nil {
		t.Fatalf("building ceso: %v\n%s", err, out)
	}
	port := freePort(t)
	sim := simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	home := filepath.Join(dir, "home")
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("metrics:\n  port: %d\n", port)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := simtest.Ctx(t, 2*time.Minute)
	cmd := exec.CommandContext(ctx, bin, "--config", cfg, "--metrics-enabled", "--metrics-linger", "1m", "vm", "list")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	for k, v := range simtest.Env(sim, home) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The first scrape that shows the finished vm.list is the one the
	// lingering process waits for.
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	var body []byte
	for !bytes.Contains(body, []byte(`ceso_vm_operation_total{operation="vm.list"`)) {
		if ctx.Err() != nil {
			t.Fatalf("no scrape showed vm.list: %s\n%s", body, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
		if res, err := httpGet(ctx, url); err == nil {
			body = res
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ceso: %v\n%s", err, stderr.String())
	}
	if !bytes.Contains(body, []byte(`ceso_vm_operation_total{operation="vm.list",status="success"} 1`)) {
		t.Fatalf("vm.list did not succeed:\n%s\n%s", body, stderr.String())
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

func httpGet(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}
