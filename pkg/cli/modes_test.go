package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// configure writes the user's configuration file under HOME.
func (e *env) configure(t *testing.T, yaml string) {
	t.Helper()
	dir := filepath.Join(e.vars["HOME"], ".config", "ceso")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// host is what the simulated host holds: each VM with its power state, and
// the datastore's top-level folders. A read, allowed in every mode.
func (e *env) host(t *testing.T) string {
	t.Helper()
	code, out, stderr := e.run(t, "vm", "list", "--json")
	if code != 0 {
		t.Fatalf("vm list: exit %d %s", code, stderr)
	}
	var vms []struct {
		Name       string `json:"name"`
		PowerState string `json:"power_state"`
	}
	if err := json.Unmarshal([]byte(out), &vms); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, v := range vms {
		lines = append(lines, v.Name+" "+v.PowerState)
	}
	entries, err := os.ReadDir(e.sim.DatastoreDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range entries {
		lines = append(lines, "["+d.Name()+"]")
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// mustRun runs a command that must exit with code want and returns its
// output.
func (e *env) mustRun(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	code, out, stderr := e.run(t, args...)
	if code != want {
		t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out, stderr)
	}
	return out, stderr
}

var planIDRE = regexp.MustCompile(`plan ID: (plan-[0-9a-f]{32})`)

// TestSecurityModesOnTheHost runs a write and destructive commands in each
// mode against the simulator and looks at the host after each.
func TestSecurityModesOnTheHost(t *testing.T) {
	tmpl := esxisim.TemplateName
	t.Run("restricted", func(t *testing.T) {
		e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
		e.configure(t, "security:\n  mode: restricted\n")
		before := e.host(t)
		out, stderr := e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web01")
		if !planIDRE.MatchString(out) || !strings.Contains(out, "CreateVM_Task") || !strings.Contains(stderr, "ceso sandbox approve plan-") ||
			!strings.Contains(stderr, "restricted mode") {
			t.Fatalf("the refusal shows no plan, plan ID or way to approve:\n%s\n%s", out, stderr)
		}
		e.mustRun(t, cmdutil.ExitRefused, "vm", "delete", tmpl, "--yes")
		e.mustRun(t, cmdutil.ExitRefused, "vm", "power", "on", tmpl)
		if after := e.host(t); after != before {
			t.Fatalf("restricted mode changed the host:\n%s\n---\n%s", before, after)
		}
		// A plan may be made, and is named.
		out, _ = e.mustRun(t, 0, "vm", "create", "web01", "--dry-run")
		if !planIDRE.MatchString(out) {
			t.Fatalf("dry run without a plan ID:\n%s", out)
		}
	})
	t.Run("standard", func(t *testing.T) {
		e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
		e.configure(t, "security:\n  mode: standard\n")
		e.mustRun(t, 0, "vm", "create", "web01")
		e.mustRun(t, 0, "vm", "power", "on", "web01")
		if h := e.host(t); !strings.Contains(h, "web01 poweredOn") {
			t.Fatalf("host:\n%s", h)
		}
		// Powering off is destructive and vm power asks for no confirmation:
		// refused, with its plan.
		out, _ := e.mustRun(t, cmdutil.ExitRefused, "vm", "power", "off", "web01")
		if !planIDRE.MatchString(out) || !strings.Contains(e.host(t), "web01 poweredOn") {
			t.Fatalf("power off ran or showed no plan:\n%s", out)
		}
		// vm delete's confirmation (--yes) counts.
		e.mustRun(t, 0, "vm", "delete", "web01", "--force", "--yes")
		if h := e.host(t); strings.Contains(h, "web01") {
			t.Fatalf("web01 is still there:\n%s", h)
		}
		// allowed_ops narrows.
		e.configure(t, "security:\n  mode: standard\n  allowed_ops: [vm.list]\n")
		_, stderr := e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web02")
		if !strings.Contains(stderr, "allowed_ops") || strings.Contains(e.host(t), "web02") {
			t.Fatalf("allowed_ops: %s", stderr)
		}
	})
	t.Run("unrestricted", func(t *testing.T) {
		e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
		e.configure(t, "security:\n  mode: unrestricted\n")
		e.mustRun(t, 0, "vm", "create", "web01", "--power-on")
		e.mustRun(t, 0, "vm", "power", "off", "web01")
		if h := e.host(t); !strings.Contains(h, "web01 poweredOff") {
			t.Fatalf("host:\n%s", h)
		}
		e.mustRun(t, 0, "vm", "delete", "web01", "--yes")
		if h := e.host(t); strings.Contains(h, "web01") {
			t.Fatalf("host:\n%s", h)
		}
	})
}

// TestModeCannotBeRaised: --mode and CESO_MODE lower the configured mode
// for one command and never raise it; of the two, the lower wins.
func TestModeCannotBeRaised(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	e.configure(t, "security:\n  mode: standard\n")
	before := e.host(t)
	_, stderr := e.mustRun(t, cmdutil.ExitRefused, "--mode", "unrestricted", "vm", "power", "on", esxisim.TemplateName)
	if !strings.Contains(stderr, "never raise") {
		t.Fatalf("raise by flag: %s", stderr)
	}
	e.vars[cmdutil.ModeEnv] = "unrestricted"
	e.mustRun(t, cmdutil.ExitRefused, "vm", "power", "on", esxisim.TemplateName)
	e.vars[cmdutil.ModeEnv] = "restricted"
	e.mustRun(t, cmdutil.ExitRefused, "--mode", "standard", "vm", "create", "web01")
	delete(e.vars, cmdutil.ModeEnv)
	e.mustRun(t, cmdutil.ExitRefused, "--mode", "read-only", "vm", "create", "web01")
	e.mustRun(t, cmdutil.ExitUsage, "--mode", "sideways", "vm", "list")
	if after := e.host(t); after != before {
		t.Fatalf("the host changed:\n%s\n---\n%s", before, after)
	}
	// Lowering to what the config allows anyway changes nothing.
	e.mustRun(t, 0, "--mode", "standard", "vm", "create", "web01")
}
