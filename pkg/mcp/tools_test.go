package mcp

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

func listTools(t *testing.T, cs *sdk.ClientSession) map[string]*sdk.Tool {
	t.Helper()
	res, err := cs.ListTools(simtest.Ctx(t, time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*sdk.Tool{}
	for _, tl := range res.Tools {
		m[tl.Name] = tl
	}
	return m
}

// TestToolListPerMode: every classified operation is a tool in every
// mode; what it does (runs, partly, plan-only) follows the mode, and
// allowed_ops hides what it leaves out.
func TestToolListPerMode(t *testing.T) {
	r := newRig(t, rigOpts{})
	want := map[string]map[string]string{ // mode → tool → ceso/runs
		"restricted":   {"vm_list": "runs", "vm_create": "plan-only", "vm_delete": "plan-only", "vm_power": "plan-only", "backup_prune": "plan-only"},
		"standard":     {"vm_list": "runs", "vm_create": "runs", "vm_delete": "plan-only", "vm_power": "partly", "backup_prune": "plan-only"},
		"unrestricted": {"vm_list": "runs", "vm_create": "runs", "vm_delete": "runs", "vm_power": "runs", "backup_prune": "runs"},
	}
	for mode, tools := range want {
		t.Run(mode, func(t *testing.T) {
			got := listTools(t, r.connect(t, Identity{Agent: "agent-" + mode, Mode: mode}))
			if len(got) != len(operations.Catalog()) {
				t.Errorf("%d tools, want one per operation (%d)", len(got), len(operations.Catalog()))
			}
			for name, runs := range tools {
				tl := got[name]
				if tl == nil {
					t.Errorf("%s is not listed", name)
					continue
				}
				if tl.Meta["ceso/runs"] != runs {
					t.Errorf("%s: runs %v, want %s", name, tl.Meta["ceso/runs"], runs)
				}
			}
			if d := got["vm_create"].Description; mode == "restricted" && !strings.Contains(d, "Plan only") {
				t.Errorf("restricted vm_create description does not say plan only: %s", d)
			}
		})
	}
	t.Run("allowed_ops", func(t *testing.T) {
		r := newRig(t, rigOpts{sim: r.sim, mode: "standard", configure: func(c *config.Config) {
			ops := []string{"vm.list", "vm.create"}
			c.Security.AllowedOps = &ops
		}})
		got := listTools(t, r.connect(t, Identity{Agent: "narrow"}))
		var names []string
		for n := range got {
			names = append(names, n)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"vm_create", "vm_list"}) {
			t.Errorf("tools %v, want only vm_create and vm_list", names)
		}
	})
}

// TestModeCannotBeRaised: an identity asking for more than security.mode
// gets no server.
func TestModeCannotBeRaised(t *testing.T) {
	r := newRig(t, rigOpts{mode: "restricted"})
	if _, err := r.srv.For(Identity{Agent: "greedy", Mode: "unrestricted"}); err == nil {
		t.Fatal("an agent raised the configured mode")
	}
	if _, err := r.srv.For(Identity{Mode: "restricted"}); err == nil {
		t.Fatal("an identity without a name was served")
	}
	got := listTools(t, r.connect(t, Identity{Agent: "plain"}))
	if got["vm_create"].Meta["ceso/runs"] != "plan-only" {
		t.Errorf("with no mode asked for, the configured restricted mode should apply: %v", got["vm_create"].Meta)
	}
}

// TestAnnotationsMatchClasses: readOnlyHint exactly for reads,
// destructiveHint exactly when a class is destructive, idempotentHint as
// the catalog says; the schemas are the catalog's.
func TestAnnotationsMatchClasses(t *testing.T) {
	r := newRig(t, rigOpts{})
	got := listTools(t, r.connect(t, Identity{Agent: "a"}))
	for _, d := range operations.Catalog() {
		tl := got[ToolName(d.Name())]
		if tl == nil {
			t.Errorf("%s has no tool", d.Name())
			continue
		}
		read, destructive := true, false
		for _, c := range d.Classes() {
			read = read && c == ops.ClassRead
			destructive = destructive || c == ops.ClassDestructive
		}
		a := tl.Annotations
		if a.ReadOnlyHint != read {
			t.Errorf("%s: readOnlyHint %v, classes %v", d.Name(), a.ReadOnlyHint, d.Classes())
		}
		if !read && (a.DestructiveHint == nil || *a.DestructiveHint != destructive) {
			t.Errorf("%s: destructiveHint %v, classes %v", d.Name(), a.DestructiveHint, d.Classes())
		}
		if a.IdempotentHint != operations.Idempotent(d) {
			t.Errorf("%s: idempotentHint %v", d.Name(), a.IdempotentHint)
		}
		if tl.Title != d.Name() || !strings.Contains(tl.Description, d.Summary()) {
			t.Errorf("%s: title %q, description %q", d.Name(), tl.Title, tl.Description)
		}
		props := schemaProps(t, tl.InputSchema)
		in, _ := d.InputSchema()
		for p := range in.Properties {
			if _, ok := props[p]; !ok {
				t.Errorf("%s: input schema lacks the param %s", d.Name(), p)
			}
		}
		_, hasKey := props[fieldIdempotencyKey]
		if hasKey == read {
			t.Errorf("%s: idempotency_key offered %v, read %v", d.Name(), hasKey, read)
		}
		if out := schemaProps(t, tl.OutputSchema); out["result"] == nil || out["status"] == nil {
			t.Errorf("%s: output schema %v", d.Name(), out)
		}
	}
}

func schemaProps(t *testing.T, s any) map[string]any {
	t.Helper()
	m, ok := s.(map[string]any)
	if !ok {
		t.Fatalf("schema %T", s)
	}
	p, _ := m["properties"].(map[string]any)
	return p
}

// unclassified is a catalog entry without a class.
type unclassified struct{ operations.Def }

func (unclassified) Name() string         { return "vm.teleport" }
func (unclassified) Class() ops.Class     { return ops.ClassUnknown }
func (unclassified) Classes() []ops.Class { return []ops.Class{ops.ClassUnknown} }

// TestUnclassifiedIsNotExposed: deny by default, even unrestricted.
func TestUnclassifiedIsNotExposed(t *testing.T) {
	r := newRig(t, rigOpts{opts: func(o *Options) {
		o.Catalog = []operations.Def{operations.VMList, unclassified{operations.VMList}}
	}})
	got := listTools(t, r.connect(t, Identity{Agent: "a", Mode: "unrestricted"}))
	if got["vm_teleport"] != nil || got["vm_list"] == nil || len(got) != 1 {
		t.Errorf("tools %v: want vm_list alone", got)
	}
}

func TestToolNamesMapOneToOne(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range operations.Catalog() {
		n := ToolName(d.Name())
		if seen[n] || OperationName(n) != d.Name() {
			t.Errorf("%s → %s → %s", d.Name(), n, OperationName(n))
		}
		seen[n] = true
		for _, r := range n {
			if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				t.Errorf("%s: %q outside [a-zA-Z0-9_-]", n, r)
			}
		}
	}
	if _, err := newTool(badName{operations.VMList}); err == nil {
		t.Error("an operation name with _ was accepted")
	}
	if _, err := inputSchema("x.y", &jsonschema.Schema{Type: "object", Properties: map[string]*jsonschema.Schema{"dry_run": {Type: "string"}}}, true); err == nil {
		t.Error("a param named like a control field was accepted")
	}
}

type badName struct{ operations.Def }

func (badName) Name() string { return "vm.bad_name" }
