package cmdutil

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/ops"
)

// Context returns ctx bounded by the configured command timeout (--timeout).
func (f *Factory) Context(ctx context.Context) (context.Context, context.CancelFunc, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout())
	return ctx, cancel, nil
}

// RunOp runs op through the runner, within the command's deadline
// (--timeout). On a dry run it prints the plan (as JSON with asJSON) and
// returns done=true; otherwise it prints the op's notes on stderr and
// returns the op's value for the command to print.
func (f *Factory) RunOp(ctx context.Context, op *ops.Op, asJSON bool) (value any, done bool, err error) {
	ctx, cancel, err := f.Context(ctx)
	if err != nil {
		return nil, true, err
	}
	defer cancel()
	r, err := f.Runner()
	if err != nil {
		return nil, true, err
	}
	res, err := r.Do(ctx, op)
	for _, n := range res.Notes {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
	}
	if err != nil {
		return res.Value, true, err
	}
	if res.DryRun {
		if asJSON {
			return nil, true, WriteJSON(f.IO.Out, map[string]any{"dry_run": true, "op": op.Name, "target": op.Target, "plan": res.Plan})
		}
		what := op.Name
		if op.Target != "" {
			what += " " + op.Target
		}
		fmt.Fprintf(f.IO.Out, "dry run: %s would make these calls, in order (nothing was changed):\n%s", what, ops.FormatPlan(res.Plan))
		return nil, true, nil
	}
	return res.Value, false, nil
}
