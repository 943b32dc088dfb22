package mcp

import (
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/security"
	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// tool is one catalog operation as an MCP tool, whatever the mode: its
// schemas and annotations.
type tool struct {
	def  operations.Def
	name string
	// changes says the operation can change something: the tool takes the
	// control fields.
	changes bool
	in, out *jsonschema.Schema
	notes   *sdk.ToolAnnotations
}

// newTool makes the tool of d, or says why it cannot.
func newTool(d operations.Def) (*tool, error) {
	if strings.Contains(d.Name(), "_") {
		return nil, fmt.Errorf("%w: %s: an operation name with \"_\" has no one-to-one tool name", ErrSetup, d.Name())
	}
	t := &tool{def: d, name: ToolName(d.Name())}
	read, destructive := true, false
	for _, c := range d.Classes() {
		read = read && c == ops.ClassRead
		destructive = destructive || c == ops.ClassDestructive
	}
	t.changes = !read
	in, err := d.InputSchema()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	if t.in, err = inputSchema(d.Name(), in, t.changes); err != nil {
		return nil, err
	}
	out, err := d.OutputSchema()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	if t.out, err = envelopeSchema(out); err != nil {
		return nil, err
	}
	t.notes = &sdk.ToolAnnotations{Title: d.Name(), ReadOnlyHint: read, IdempotentHint: operations.Idempotent(d), OpenWorldHint: ptr(false)}
	if !read {
		t.notes.DestructiveHint = ptr(destructive)
	}
	return t, nil
}

func ptr[T any](v T) *T { return &v }

// exposure is what a tool does in a mode.
type exposure int

const (
	hidden   exposure = iota // not listed: the mode refuses even its plan
	planOnly                 // returns its plan for a human to approve
	partly                   // runs, but its more dangerous params return a plan
	runs                     // runs
)

// exposureIn asks the sandbox what d does in mode with allowed_ops, for an
// agent (which never confirms). An operation without a class is hidden in
// every mode.
func exposureIn(d operations.Def, mode string, allowed []string) (exposure, error) {
	sb, err := security.New(security.Config{Mode: mode, AllowedOps: allowed})
	if err != nil {
		return hidden, err
	}
	classes := d.Classes()
	ran, planned := 0, 0
	for _, c := range classes {
		if c == ops.ClassUnknown {
			return hidden, nil
		}
		op := security.Operation{Name: d.Name(), Class: security.Class(c.String()), Target: "-"}
		if _, err := sb.CheckOperation(op); err == nil {
			ran++
			continue
		}
		op.DryRun = true
		if _, err := sb.CheckOperation(op); err == nil {
			planned++
		}
	}
	switch {
	case len(classes) == 0:
		return hidden, nil
	case ran == len(classes):
		return runs, nil
	case ran > 0:
		return partly, nil
	case planned > 0:
		return planOnly, nil
	}
	return hidden, nil
}

// sdkTool is t as listed in mode.
func (t *tool) sdkTool(e exposure, mode string) *sdk.Tool {
	desc := t.def.Summary() + "."
	switch {
	case !t.changes:
		desc += " Reads only; changes nothing."
	case e == runs:
		desc += fmt.Sprintf(" Runs in this session's %s mode. Give an idempotency_key so that a retry does not act twice; dry_run returns the plan only.", mode)
	case e == partly:
		desc += fmt.Sprintf(" Runs in this session's %s mode, but its destructive forms return their plan and plan ID for a human to approve instead. Give an idempotency_key so that a retry does not act twice.", mode)
	default:
		desc += fmt.Sprintf(" Plan only in this session's %s mode: it does not run but returns its plan, the plan ID and what a human runs to approve it; with the approval, call it again with the same arguments and approval set.", mode)
	}
	run := map[exposure]string{runs: "runs", partly: "partly", planOnly: "plan-only"}[e]
	classes := []string{}
	for _, c := range t.def.Classes() {
		classes = append(classes, c.String())
	}
	return &sdk.Tool{
		Name: t.name, Title: t.def.Name(), Description: desc, InputSchema: t.in, OutputSchema: t.out, Annotations: t.notes,
		Meta: sdk.Meta{"ceso/operation": t.def.Name(), "ceso/classes": classes, "ceso/runs": run},
	}
}

// Control fields a tool that changes something takes beside its params.
const (
	fieldIdempotencyKey = "idempotency_key"
	fieldDryRun         = "dry_run"
	fieldApproval       = "approval"
	fieldPromotionToken = "promotion_token"
)

// inputSchema is the params' schema, with the control fields added when
// the operation can change something.
func inputSchema(op string, params *jsonschema.Schema, changes bool) (*jsonschema.Schema, error) {
	s := params.CloneSchemas()
	if !changes {
		return s, nil
	}
	if s.Properties == nil {
		s.Properties = map[string]*jsonschema.Schema{}
	}
	extra := map[string]*jsonschema.Schema{
		fieldIdempotencyKey: {Type: "string", MinLength: ptr(1), MaxLength: ptr(maxKeyLength),
			Description: "a key of your choosing for this request: calling again with the same key and arguments returns the first call's result instead of acting twice (retry safely after a timeout)"},
		fieldDryRun: {Type: "boolean", Description: "return the plan (the exact API calls and host commands) and its plan ID, and change nothing"},
		fieldApproval: {Type: "string", MaxLength: ptr(4096),
			Description: "a plan approval a human made with ceso sandbox approve PLAN-ID; give it with the same arguments as the call that returned the plan"},
		fieldPromotionToken: {Type: "string", MaxLength: ptr(4096),
			Description: "a promotion token a human made with ceso sandbox promote, naming this operation and its target"},
	}
	for name, prop := range extra {
		if _, clash := s.Properties[name]; clash {
			return nil, fmt.Errorf("%w: %s has a param named %s, a control field of its tool", ErrSetup, op, name)
		}
		s.Properties[name] = prop
	}
	return s, nil
}
