package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// env is a test environment: a simulated host and a private HOME.
type env struct {
	sim  *esxisim.Simulator
	vars map[string]string
}

func newEnv(t *testing.T, opts esxisim.Options) *env {
	t.Helper()
	sim := simtest.Start(t, opts)
	return &env{sim: sim, vars: simtest.Env(sim, t.TempDir())}
}

// run runs ceso in-process and returns the exit code, stdout and stderr.
func (e *env) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	if viaServer() {
		return e.runViaServer(t, args...)
	}
	io, _, out, errOut := cmdutil.Test()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, io, func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok })
	return code, out.String(), errOut.String()
}

func TestVMListJSONAndSessionReuse(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 3})
	code, out, stderr := e.run(t, "vm", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var vms []map[string]any
	if err := json.Unmarshal([]byte(out), &vms); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(vms) != 4 {
		t.Fatalf("%d VMs", len(vms))
	}
	for _, key := range []string{"name", "uuid", "power_state", "cpu", "memory_mb", "ip", "guest_os", "template"} {
		if _, ok := vms[0][key]; !ok {
			t.Errorf("JSON object lacks %q: %v", key, vms[0])
		}
	}
	// The session was cached under HOME: the next invocation must not log in.
	cache, _ := filepath.Glob(filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "sessions", "*.json"))
	if len(cache) != 1 {
		t.Fatalf("session cache files: %v", cache)
	}
	before, _ := os.Stat(cache[0])
	time.Sleep(20 * time.Millisecond)
	if code, _, stderr := e.run(t, "vm", "list", "--log-level", "debug"); code != 0 || !strings.Contains(stderr, "reusing cached session") {
		t.Fatalf("second list did not reuse the session (exit %d):\n%s", code, stderr)
	}
	after, _ := os.Stat(cache[0])
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("the cache file was rewritten: a new login happened")
	}
}

func TestVMListFiltersAndTable(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 3})
	code, out, _ := e.run(t, "vm", "list", "ubuntu-*")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, esxisim.TemplateName+"\tpoweredOff\t2\t2048 MiB") {
		t.Fatalf("exit %d, output %q", code, out)
	}
	code, _, stderr := e.run(t, "vm", "list", "--power-state", "sideways")
	if code != cmdutil.ExitUsage || !strings.Contains(stderr, "power state") {
		t.Fatalf("bad filter: exit %d %s", code, stderr)
	}
}

func TestVMInfo(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	code, out, stderr := e.run(t, "vm", "info", esxisim.TemplateName)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Firmware:          efi", "vmxnet3", `"VM Network"`, "[datastore1] " + esxisim.TemplateName, "thin"} {
		if !strings.Contains(out, want) {
			t.Errorf("info lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = e.run(t, "vm", "info", esxisim.TemplateName, "--json")
	var info map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info["disks"] == nil || info["nics"] == nil {
		t.Fatalf("json info: exit %d %s", code, out)
	}
	code, _, stderr = e.run(t, "vm", "info", "ghost")
	if code != cmdutil.ExitNotFound || !strings.Contains(stderr, `"ghost"`) {
		t.Fatalf("unknown VM: exit %d %s", code, stderr)
	}
}

func TestExitCodesForConnectionProblems(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	tests := []struct {
		name string
		vars map[string]string
		want int
		msg  string
	}{
		{"wrong password", map[string]string{"ESXI_PASSWORD": "nope"}, cmdutil.ExitConnection, "refused the user name or password"},
		{"wrong thumbprint", map[string]string{"ESXI_THUMBPRINT": strings.Repeat("00:", 19) + "00"}, cmdutil.ExitConnection, "does not match the pinned thumbprint"},
		{"no host", map[string]string{"ESXI_HOST": ""}, cmdutil.ExitConfig, "no ESXi host configured"},
		{"no password", map[string]string{"ESXI_PASSWORD": ""}, cmdutil.ExitConfig, "no password"},
		{"bad insecure", map[string]string{"ESXI_INSECURE": "perhaps"}, cmdutil.ExitConfig, "ESXI_INSECURE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := map[string]string{}
			for k, v := range e.vars {
				saved[k] = v
			}
			defer func() { e.vars = saved }()
			for k, v := range tt.vars {
				e.vars[k] = v
			}
			e.vars["HOME"] = t.TempDir()
			code, _, stderr := e.run(t, "vm", "list")
			if code != tt.want || !strings.Contains(stderr, tt.msg) {
				t.Fatalf("exit %d (want %d): %s", code, tt.want, stderr)
			}
		})
	}
}

func TestDryRunTouchesNothing(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	before := e.sim.Requests()
	code, out, _ := e.run(t, "vm", "list", "--dry-run")
	if code != 0 || !strings.Contains(out, "CreateContainerView") {
		t.Fatalf("exit %d %s", code, out)
	}
	if e.sim.Requests() != before {
		t.Fatalf("a dry run sent %d requests to the host", e.sim.Requests()-before)
	}
	code, out, _ = e.run(t, "vm", "info", "x", "--dry-run", "--json")
	var plan map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &plan) != nil || plan["dry_run"] != true {
		t.Fatalf("json plan: exit %d %s", code, out)
	}
}

func TestConfigCommands(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("esxi:\n  host: esxi01\n  password: hunter2\n"), 0o600)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("esxi:\n  host: esxi01\n  pasword: x\n"), 0o600)
	e := &env{vars: map[string]string{"HOME": dir}}

	code, out, _ := e.run(t, "--config", good, "config", "show")
	if code != 0 || strings.Contains(out, "hunter2") || !strings.Contains(out, "host: esxi01") || !strings.Contains(out, "# source: "+good) {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	code, out, _ = e.run(t, "--config", good, "--host", "flag-host", "config", "show", "--json")
	if code != 0 || !strings.Contains(out, `"host": "flag-host"`) || !strings.Contains(out, `"keep_daily": 7`) {
		t.Fatalf("flags must win over the file: exit %d\n%s", code, out)
	}
	if code, out, _ := e.run(t, "--config", good, "config", "validate"); code != 0 || !strings.Contains(out, "configuration OK") {
		t.Fatalf("validate good: %d %s", code, out)
	}
	code, _, stderr := e.run(t, "--config", bad, "config", "validate")
	if code != cmdutil.ExitConfig || !strings.Contains(stderr, "bad.yaml:3:") || !strings.Contains(stderr, "esxi.pasword") {
		t.Fatalf("validate bad: exit %d %s", code, stderr)
	}
	e.vars["CESO_CONFIG"] = bad
	if code, _, _ := e.run(t, "config", "show"); code != cmdutil.ExitConfig {
		t.Fatalf("CESO_CONFIG not used: exit %d", code)
	}
}

func TestUsageErrors(t *testing.T) {
	e := &env{vars: map[string]string{"HOME": t.TempDir()}}
	for _, args := range [][]string{{"vm", "info"}, {"vm", "list", "--bogus"}, {"vm", "list", "a", "b"}, {"simulator", "--port", "-1"}, {"nosuchcommand"}} {
		if code, _, stderr := e.run(t, args...); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, cmdutil.ExitUsage, stderr)
		}
	}
	code, out, _ := e.run(t, "--help")
	if code != 0 || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "partial failure") {
		t.Fatalf("help lacks the exit codes: %s", out)
	}
}

func TestDemo(t *testing.T) {
	e := &env{vars: map[string]string{"HOME": t.TempDir()}}
	code, out, stderr := e.run(t, "demo", "--vms", "2")
	if code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"$ ceso vm list", esxisim.TemplateName, "(exit code 5)", "Done.",
		"HTTP 403 Forbidden", `"plan_id": "plan-`, "HTTP 202 Accepted", `"state": "succeeded"`, "$ ceso --server http://127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

func TestAuditLogRecordsOperations(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	if code, _, stderr := e.run(t, "vm", "info", "ghost"); code != cmdutil.ExitNotFound {
		t.Fatalf("exit %d %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("audit lines %q", lines)
	}
	var start, end map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &start)
	_ = json.Unmarshal([]byte(lines[1]), &end)
	if start["phase"] != "start" || end["phase"] != "end" || end["outcome"] != "failure" || start["correlation_id"] != end["correlation_id"] || end["target"] != "ghost" {
		t.Fatalf("records %v / %v", start, end)
	}
	if !strings.Contains(end["error"].(string), "not found") {
		t.Fatalf("end record error %v", end["error"])
	}
}

func TestTimeoutFlagBoundsTheCommand(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	if code, _, stderr := e.run(t, "vm", "list"); code != 0 { // log in and cache the session
		t.Fatalf("exit %d %s", code, stderr)
	}
	// The host's answer would come after a minute (the simulator's Close
	// ends the wait): a command that ends at all ended on its deadline, and
	// the bound below is far from anything a loaded machine takes.
	const hostDelay = time.Minute
	e.sim.SetMethodDelay("RetrieveProperties", hostDelay)
	e.sim.SetMethodDelay("RetrievePropertiesEx", hostDelay)
	defer e.sim.SetMethodDelay("RetrievePropertiesEx", 0)
	defer e.sim.SetMethodDelay("RetrieveProperties", 0)
	start := time.Now()
	code, _, stderr := e.run(t, "vm", "list", "--timeout", "300ms")
	if code != cmdutil.ExitTimeout {
		t.Fatalf("exit %d, want %d: %s", code, cmdutil.ExitTimeout, stderr)
	}
	if time.Since(start) >= hostDelay/2 {
		t.Fatalf("the command waited for the host instead of its deadline: %v", time.Since(start))
	}
}
