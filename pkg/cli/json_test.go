package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/spf13/cobra"
)

// noData are the commands that print no data, and why.
var noData = map[string]string{
	"ceso simulator": "runs a host until interrupted; --env-file writes its environment",
	"ceso demo":      "a walk-through for people",
	"ceso mcp":       "speaks the MCP protocol on stdout, JSON-RPC already",
	// The sandbox's key and token tools print one value alone on stdout,
	// for a script or a human to hand on as it is.
	"ceso audit hash":      "prints the HMAC of one value",
	"ceso sandbox keygen":  "writes a key pair; prints the public key's path and ID",
	"ceso sandbox promote": "prints the signed token alone",
	"ceso sandbox approve": "prints the signed approval alone",
	"ceso sandbox revoke":  "prints that the token is revoked",
	"ceso serve token new": "prints the token alone; its server.tokens entry goes to stderr",
	"ceso serve":           "runs the daemon until stopped; its API answers in JSON",
}

// TestEveryCommandThatPrintsTakesJSON walks the command tree.
func TestEveryCommandThatPrintsTakesJSON(t *testing.T) {
	io, _, _, _ := cmdutil.Test()
	root := NewCmdRoot(cmdutil.New(io, config.MapEnv(nil)))
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "ceso completion") || strings.HasPrefix(c.Name(), "__") {
			return
		}
		if _, ok := noData[c.CommandPath()]; ok {
			return
		}
		if f := c.Flags().Lookup("json"); f == nil || f.Value.Type() != "bool" {
			t.Errorf("%s has no --json", c.CommandPath())
		}
	}
	walk(root)
}

// decode runs ceso and decodes its JSON output into v.
func decode(t *testing.T, e *env, v any, args ...string) int {
	t.Helper()
	code, out, stderr := e.run(t, args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v: not JSON (exit %d): %v\n%s\n%s", args, code, err, out, stderr)
	}
	return code
}

func TestJSONOfDeletesValidateAndPrune(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	for _, name := range []string{"web01", "web02"} {
		if code, _, stderr := e.run(t, "vm", "create", name, "--dhcp"); code != 0 {
			t.Fatalf("create %s: %s", name, stderr)
		}
	}
	var deleted map[string]any
	if code := decode(t, e, &deleted, "vm", "delete", "web02", "--yes", "--json"); code != 0 || deleted["name"] != "web02" || deleted["deleted"] != true {
		t.Fatalf("vm delete --json: exit %d %v", code, deleted)
	}
	first, second := backupJSON(t, e, "web01"), backupJSON(t, e, "web01")

	var list []map[string]any
	if code := decode(t, e, &list, "backup", "list", "--json"); code != 0 || len(list) != 2 {
		t.Fatalf("list: %d %v", code, list)
	}
	for _, k := range []string{"host", "description", "metadata", "last_verified", "verify_detail"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("backup list --json omits %q: %v", k, list[0])
		}
	}
	if list[0]["host"] != e.sim.Host() || list[0]["last_verified"] != nil {
		t.Errorf("host %v, last_verified %v", list[0]["host"], list[0]["last_verified"])
	}
	code, out, _ := e.run(t, "backup", "list")
	if code != 0 || !strings.Contains(out, "\tweb01\t"+e.sim.Host()+"\t") {
		t.Errorf("backup list does not show the host:\n%s", out)
	}

	var ds []map[string]any
	if code := decode(t, e, &ds, "backup", "prune", "--keep-last", "1", "--json"); code != 0 || len(ds) != 2 {
		t.Fatalf("prune: %d %v", code, ds)
	}
	for _, d := range ds {
		if len(d) != 6 || d["timestamp"] == nil || d["vm_name"] != "web01" || d["host"] != e.sim.Host() {
			t.Errorf("decision %v: want id, vm_name, host, timestamp, action, reasons", d)
		}
	}
	if ds[0]["id"] != second.ID || ds[0]["action"] != "keep" || ds[1]["id"] != first.ID || ds[1]["action"] != "remove" {
		t.Errorf("decisions %v", ds)
	}
	if _, ok := ds[1]["reasons"].([]any); !ok {
		t.Errorf("reasons %v", ds[1]["reasons"])
	}

	var gone map[string]any
	if code := decode(t, e, &gone, "backup", "delete", second.ID, "--yes", "--force", "--json"); code != 0 || gone["id"] != second.ID || gone["deleted"] != true {
		t.Fatalf("backup delete --json: %d %v", code, gone)
	}

	var rep map[string]any
	if code := decode(t, e, &rep, "config", "validate", "--json"); code != 0 || rep["valid"] != true || rep["problem"] != "" {
		t.Fatalf("config validate --json: %d %v", code, rep)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("esxi:\n  hots: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep = nil
	code = decode(t, e, &rep, "--config", bad, "config", "validate", "--json")
	if code != cmdutil.ExitConfig || rep["valid"] != false || !strings.Contains(rep["problem"].(string), "esxi.hots") || rep["source"] != bad {
		t.Fatalf("invalid config --json: %d %v", code, rep)
	}
}
