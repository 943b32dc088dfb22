package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync/atomic"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/security"
	"github.com/google/uuid"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// handler is the handler of t for id: the same for every tool.
func (s *Server) handler(id Identity, t *tool) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		params, ctl, err := splitArgs(req.Params.Arguments, t.changes)
		if err != nil {
			return s.result(envelope{Operation: t.def.Name(), Status: StatusFailed, Error: err.Error()}), nil
		}
		if ctl.key == "" || ctl.dryRun {
			res, _ := s.invoke(ctx, id, t, params, ctl)
			return res, nil
		}
		res, replayed, err := s.idem.do(ctx, id.Agent, ctl.key, t.name, argsDigest(params), func() (*sdk.CallToolResult, bool) {
			return s.invoke(ctx, id, t, params, ctl)
		})
		if err != nil {
			return s.result(envelope{Operation: t.def.Name(), Status: StatusFailed, Error: err.Error()}), nil
		}
		if replayed {
			return s.replayed(res), nil
		}
		return res, nil
	}
}

// invoke runs t's operation through the catalog as id, and says whether it
// acted (the runner started it).
func (s *Server) invoke(ctx context.Context, id Identity, t *tool, params json.RawMessage, ctl control) (*sdk.CallToolResult, bool) {
	cid := uuid.NewString()
	var started atomic.Bool
	// The deadline of a whole command at the CLI (esxi.timeout) bounds a
	// tool call too.
	ctx, cancel := context.WithTimeout(ctx, s.app.Config().Timeout())
	defer cancel()
	ctx = ops.WithHooks(ctx, ops.Hooks{CorrelationID: cid, Started: func() { started.Store(true) }})
	call := app.Call{Actor: id.Agent, Mode: id.Mode, DryRun: ctl.dryRun, Approval: ctl.approval, PromotionToken: ctl.token}
	out, err := t.def.Invoke(ctx, s.app, call, params)
	s.seen.add(id.Agent, cid)
	e := envelope{Operation: t.def.Name(), CorrelationID: cid, Plan: out.Plan, PlanID: out.PlanID, Notes: out.Notes}
	switch {
	case err == nil && out.DryRun:
		e.Status = StatusPlanned
	case err == nil:
		e.Status, e.Result = StatusDone, out.Result
	case errors.Is(err, security.ErrProtectedUnnamed):
		e.Status = StatusRefused
		e.Approve = "name the VMs (not all or match) and the datastore explicitly: a call that could reach a protected object it does not name is refused in every mode."
	case errors.Is(err, security.ErrProtected):
		e.Status = StatusPromotionRequired
		e.Approve = "a human who agrees makes a promotion token that names this operation and the protected objects as targets (the command is in the error); call this tool again with the same arguments and promotion_token set to it. A plan approval does not lift a protection."
	case errors.Is(err, ops.ErrDenied) && out.PlanID != "":
		e.Status, e.Approve = StatusApprovalRequired, s.approveHint(out.PlanID)
	case errkind.Of(err) == errkind.Refused:
		e.Status = StatusRefused
	default:
		e.Status, e.Result = StatusFailed, out.Result
	}
	if err != nil {
		e.Error = err.Error()
	}
	return s.result(e), started.Load()
}

// approveHint says what a human runs to approve planID.
func (s *Server) approveHint(planID string) string {
	how := fmt.Sprintf("a human reviews the plan and runs: ceso sandbox approve %s --key PRIVATE-KEY-FILE (the operator's key made by ceso sandbox keygen), then gives you the approval it prints; call this tool again with the same arguments and approval set to it. The approval is valid once, for a few minutes, and only while the plan stays the same.", planID)
	if s.app.Config().Security.PromotionPublicKey == "" {
		how = "no security.promotion_public_key is configured, so no approval can be checked yet: an operator makes a key pair with ceso sandbox keygen FILE and sets security.promotion_public_key to FILE.pub; then " + how
	}
	return how
}

// result is e as a tool result: the cleaned envelope as structured content
// and a short text; a failure or refusal is a tool error.
func (s *Server) result(e envelope) *sdk.CallToolResult {
	c := s.cleaner()
	v, err := c.structured(e)
	if err != nil {
		v = map[string]any{"operation": e.Operation, "status": StatusFailed, "error": c.text(err.Error(), maxText)}
	}
	return resultOf(c, v)
}

func resultOf(c cleaner, v map[string]any) *sdk.CallToolResult {
	status, _ := v["status"].(string)
	return &sdk.CallToolResult{
		Content:           []sdk.Content{&sdk.TextContent{Text: c.summary(v)}},
		StructuredContent: v,
		IsError:           status == StatusFailed || status == StatusRefused,
	}
}

// replayed is the kept result of an earlier call, marked as such.
func (s *Server) replayed(res *sdk.CallToolResult) *sdk.CallToolResult {
	v, ok := res.StructuredContent.(map[string]any)
	if !ok {
		return res
	}
	v = maps.Clone(v)
	v["replayed"] = true
	return resultOf(s.cleaner(), v)
}
