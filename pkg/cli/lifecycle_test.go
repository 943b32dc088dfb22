package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestVMLifecycleCommands(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 2 << 20})

	// A dry run changes nothing.
	code, out, stderr := e.run(t, "vm", "create", "web01", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.1", "--dry-run")
	if code != 0 || !strings.Contains(out, "CopyVirtualDisk_Task") || !strings.Contains(out, "CreateVM_Task") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(e.sim.DatastoreDir(), "web01")); !os.IsNotExist(err) {
		t.Fatal("a dry run made the VM folder")
	}

	code, out, stderr = e.run(t, "vm", "create", "web01", "--ip", "192.0.2.10/24", "--gateway", "192.0.2.1", "--memory", "1G", "--json")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, stderr)
	}
	var res struct {
		Name string   `json:"name"`
		MACs []string `json:"macs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Name != "web01" || len(res.MACs) != 1 {
		t.Fatalf("create result %q: %v", out, err)
	}
	code, out, _ = e.run(t, "vm", "info", "web01", "--json")
	var info struct {
		MemoryMB  int `json:"memory_mb"`
		CloudInit struct {
			Hostname string `json:"hostname"`
			NICs     []struct {
				Addresses []string `json:"addresses"`
			} `json:"nics"`
		} `json:"cloud_init"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("info: %d %s", code, out)
	}
	if info.MemoryMB != 1024 || info.CloudInit.Hostname != "web01" || info.CloudInit.NICs[0].Addresses[0] != "192.0.2.10/24" {
		t.Fatalf("created VM %+v", info)
	}

	// The same name again is refused; bad input is a usage error.
	if code, _, stderr := e.run(t, "vm", "create", "web01"); code != cmdutil.ExitRefused {
		t.Fatalf("duplicate create: exit %d %s", code, stderr)
	}
	for _, args := range [][]string{
		{"vm", "create", "x", "--memory", "lots"},
		{"vm", "create", "x", "--wait-ip", "1m"},
		{"vm", "create", "bad/name"},
		{"vm", "clone", "web01", "w2", "--snapshot", "--power-off-source"},
		{"vm", "power", "hover", "web01"},
		{"vm", "power", "on"},
		{"vm", "power", "on", "web01", "--all"},
	} {
		if code, _, stderr := e.run(t, args...); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want 2: %s", args, code, stderr)
		}
	}

	code, _, stderr = e.run(t, "vm", "clone", "web01", "web02", "--ip", "192.0.2.11/24")
	if code != 0 {
		t.Fatalf("clone: exit %d %s", code, stderr)
	}

	// Power: in parallel, already-in-state is a success, an unknown VM makes
	// the batch a partial failure.
	code, out, stderr = e.run(t, "vm", "power", "on", "web01", "web02", "--json")
	var powered []struct {
		Name  string `json:"name"`
		State string `json:"power_state"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &powered) != nil || len(powered) != 2 {
		t.Fatalf("power on: exit %d %s %s", code, out, stderr)
	}
	for _, p := range powered {
		if p.State != "poweredOn" {
			t.Fatalf("%s is %s after power on", p.Name, p.State)
		}
	}
	code, out, _ = e.run(t, "vm", "power", "on", "web01")
	if code != 0 || !strings.Contains(out, "already poweredOn") {
		t.Fatalf("power on again: exit %d %s", code, out)
	}
	code, out, stderr = e.run(t, "vm", "power", "off", "web01", "ghost")
	if code != cmdutil.ExitPartial || !strings.Contains(out, "ghost") || !strings.Contains(stderr, "1 of 2 failed") {
		t.Fatalf("partial: exit %d\n%s\n%s", code, out, stderr)
	}

	// Delete needs confirmation off a terminal, and force for a running VM.
	if code, _, stderr := e.run(t, "vm", "delete", "web02"); code != cmdutil.ExitUsage || !strings.Contains(stderr, "--yes") {
		t.Fatalf("unconfirmed delete: exit %d %s", code, stderr)
	}
	if code, _, stderr := e.run(t, "vm", "delete", "web02", "--yes"); code != cmdutil.ExitRefused {
		t.Fatalf("delete running: exit %d %s", code, stderr)
	}
	for _, name := range []string{"web01", "web02"} {
		if code, _, stderr := e.run(t, "vm", "delete", name, "--force", "--yes"); code != 0 {
			t.Fatalf("delete %s: exit %d %s", name, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(e.sim.DatastoreDir(), name)); !os.IsNotExist(err) {
			t.Fatalf("%s's folder left behind", name)
		}
	}
	code, out, _ = e.run(t, "vm", "list")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("after deletes: %s", out)
	}
}

func TestPowerAllSkipsTemplate(t *testing.T) {
	e := newEnv(t, esxisim.Options{ExtraVMs: 3})
	code, out, stderr := e.run(t, "vm", "power", "off", "--all", "--json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	var results []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(out), &results); err != nil || len(results) != 3 {
		t.Fatalf("results %s %v", out, err)
	}
	for _, r := range results {
		if r.Name == esxisim.TemplateName {
			t.Fatal("--all touched the template")
		}
	}
	code, out, _ = e.run(t, "vm", "power", "on", "--all", "--match", "vm-0001", "--dry-run")
	if code != 0 || !strings.Contains(out, "PowerOnVM_Task") || strings.Contains(out, "vm-0002") {
		t.Fatalf("dry run: %d %s", code, out)
	}
}
