package mcp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/operations"
	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// validator checks structured content against the tools' output schemas
// as a client sees them.
type validator map[string]*jsonschema.Resolved

func newValidator(t *testing.T, tools map[string]*sdk.Tool) validator {
	t.Helper()
	v := validator{}
	for name, tl := range tools {
		raw, err := json.Marshal(tl.OutputSchema)
		if err != nil {
			t.Fatal(err)
		}
		var s jsonschema.Schema
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("%s: output schema: %v", name, err)
		}
		if v[name], err = s.Resolve(nil); err != nil {
			t.Fatalf("%s: output schema does not resolve: %v", name, err)
		}
	}
	return v
}

func (v validator) check(t *testing.T, tool string, rp reply) {
	t.Helper()
	var doc any
	raw, _ := json.Marshal(rp.res.StructuredContent)
	_ = json.Unmarshal(raw, &doc)
	if err := v[tool].Validate(doc); err != nil {
		t.Errorf("%s: structured content does not match the output schema: %v\n%s", tool, err, raw)
	}
}

// TestEveryToolRunsOnTheSimulator runs each tool once, unrestricted, in an
// order that gives each what it needs, and checks each result against
// its output schema and the host.
func TestEveryToolRunsOnTheSimulator(t *testing.T) {
	r := newRig(t, rigOpts{})
	cs := r.connect(t, Identity{Agent: "runner"})
	tools := listTools(t, cs)
	v := newValidator(t, tools)
	run := func(tool string, args map[string]any) reply {
		t.Helper()
		rp := mustDo(t, cs, tool, args)
		v.check(t, tool, rp)
		return rp
	}
	ran := map[string]bool{}
	steps := []struct {
		tool string
		args func() map[string]any
	}{
		{"vm_create", func() map[string]any { return map[string]any{"name": "off01", "idempotency_key": "c1"} }},
		{"vm_clone", func() map[string]any { return map[string]any{"source": "off01", "name": "copy01"} }},
		{"vm_power", func() map[string]any { return map[string]any{"action": "on", "names": []string{"copy01"}} }},
		{"vm_list", func() map[string]any { return nil }},
		{"vm_info", func() map[string]any { return map[string]any{"name": "copy01"} }},
		{"cloudinit_render", func() map[string]any { return map[string]any{"name": "web01"} }},
		{"config_validate", func() map[string]any { return map[string]any{} }},
		{"backup_create", func() map[string]any { return map[string]any{"vm": "off01"} }},
		{"backup_list", func() map[string]any { return map[string]any{"vm": "off01"} }},
	}
	var backupID string
	for _, s := range steps {
		rp := run(s.tool, s.args())
		ran[s.tool] = true
		if s.tool == "backup_create" {
			list, _ := rp.env.Result.([]any)
			if len(list) != 1 {
				t.Fatalf("backup_create result %v", rp.env.Result)
			}
			backupID, _ = list[0].(map[string]any)["id"].(string)
		}
	}
	names := r.vmNames(t)
	if names["off01"] == "" || names["copy01"] != "poweredOn" {
		t.Fatalf("host after create, clone, power on: %v", names)
	}
	rest := []struct {
		tool string
		args map[string]any
	}{
		{"backup_verify", map[string]any{"id": backupID}},
		{"backup_restore", map[string]any{"id": backupID, "as_new": "restored01"}},
		{"backup_create", map[string]any{"vm": "off01", "description": "second"}},
		{"backup_prune", map[string]any{"keep_last": 1}},
		{"backup_clean", map[string]any{}},
		{"vm_delete", map[string]any{"name": "restored01"}},
	}
	for _, s := range rest {
		run(s.tool, s.args)
		ran[s.tool] = true
	}
	list := run("backup_list", nil)
	kept, _ := list.env.Result.([]any)
	if len(kept) == 0 || len(kept) > 2 {
		t.Fatalf("after prune keep_last 1: %d backups", len(kept))
	}
	last, _ := kept[0].(map[string]any)["id"].(string)
	run("backup_delete", map[string]any{"id": last, "force": true})
	ran["backup_delete"] = true
	if names := r.vmNames(t); names["restored01"] != "" {
		t.Errorf("restored01 still there after vm_delete: %v", names)
	}
	for _, d := range operations.Catalog() {
		if !ran[ToolName(d.Name())] {
			t.Errorf("%s was not run", ToolName(d.Name()))
		}
	}
}

// TestFailuresAreToolErrors: a failure is an error result whose text
// quotes the error; bad arguments are refused before anything runs.
func TestFailuresAreToolErrors(t *testing.T) {
	r := newRig(t, rigOpts{})
	cs := r.connect(t, Identity{Agent: "clumsy"})
	tests := []struct {
		tool string
		args any
		want string
	}{
		{"vm_info", map[string]any{"name": "nope"}, "nope"},
		{"vm_info", map[string]any{"name": "x", "extra": 1}, "unknown field"},
		{"vm_create", map[string]any{"name": "a", "dry_run": "yes"}, "dry_run"},
		{"vm_create", map[string]any{"name": "a", "idempotency_key": strings.Repeat("k", 200)}, "longer than"},
		{"vm_create", map[string]any{"name": "a", "idempotency_key": "a\u202eb"}, "control character"},
		{"vm_list", []any{1, 2}, "JSON object"},
		{"vm_list", map[string]any{"dry_run": true}, "unknown field"},
	}
	for _, tt := range tests {
		rp := call(t, cs, tt.tool, tt.args)
		if !rp.res.IsError || rp.env.Status != StatusFailed || !strings.Contains(rp.env.Error, tt.want) {
			t.Errorf("%s %v: status %s error %q, want failed with %q", tt.tool, tt.args, rp.env.Status, rp.env.Error, tt.want)
		}
		if !strings.Contains(rp.text, "Error: \"") {
			t.Errorf("%s: the text does not quote the error: %s", tt.tool, rp.text)
		}
	}
	if names := r.vmNames(t); names["a"] != "" {
		t.Error("a refused create made a VM")
	}
}
