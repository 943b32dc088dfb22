package cmdutil

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/operations"
)

// Remote runs catalog operations on a ceso server instead of in this
// process. The Factory holds one when a server is configured (--server,
// CESO_SERVER, server.url); Run then sends every operation to it.
type Remote interface {
	// Invoke runs operation op with params (its Params as JSON) and returns
	// its outcome with the result as JSON; on a partial failure both.
	Invoke(ctx context.Context, op string, call RemoteCall, params json.RawMessage) (operations.Outcome[json.RawMessage], error)
}

// RemoteCall is how one operation is asked of a Remote.
type RemoteCall struct {
	// DryRun asks for the plan only.
	DryRun bool
	// Timeout bounds the operation on the server (what is left of
	// --timeout).
	Timeout time.Duration
	// Mode, Confirmed, PromotionToken and Approval are the sandbox's
	// asks of this command (Factory.Call); the server applies them under
	// its token's mode, as this process would under security.mode.
	Mode                     string
	Confirmed                bool
	PromotionToken, Approval string
}

// runRemote is Run through f.Remote: the same params, notes, plan and
// result, and errors of the same kinds, so the command prints and exits
// as it would locally.
func runRemote[P operations.Params, R any](ctx context.Context, f *Factory, op *operations.Op[P, R], p P, asJSON bool) (result R, done bool, err error) {
	ctx, cancel, err := f.Context(ctx)
	if err != nil {
		return result, true, err
	}
	defer cancel()
	params, err := json.Marshal(p)
	if err != nil {
		return result, true, fmt.Errorf("encoding the params of %s: %w", op.Name(), err)
	}
	local, err := f.Call(ctx)
	if err != nil {
		return result, true, err
	}
	call := RemoteCall{
		DryRun: local.DryRun, Mode: local.Mode, Confirmed: local.Confirmed,
		PromotionToken: local.PromotionToken, Approval: local.Approval,
	}
	if d, ok := ctx.Deadline(); ok {
		call.Timeout = time.Until(d)
	}
	out, err := f.Remote.Invoke(ctx, op.Name(), call, params)
	for _, n := range out.Notes {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
	}
	if len(out.Result) > 0 && string(out.Result) != "null" {
		if derr := json.Unmarshal(out.Result, &result); derr != nil && err == nil {
			err = fmt.Errorf("decoding the result of %s from the server: %w", op.Name(), derr)
		}
	}
	if err != nil {
		if out.PlanID != "" {
			f.printRefusedPlan(op.Name(), p.Target(), out.Plan, out.PlanID, asJSON)
		}
		return result, true, err
	}
	if out.DryRun {
		return result, true, f.printPlan(op.Name(), p.Target(), out.Plan, out.PlanID, asJSON)
	}
	return result, false, nil
}
