package cmdutil

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/operations"
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

// Run runs the catalog operation op with params p, within the command's
// deadline (--timeout), as the global flags say (--dry-run). On a dry run
// it prints the plan (as JSON with asJSON) and returns done=true;
// otherwise it prints the operation's notes on stderr and returns its
// result for the command to print (also with an error, for a batch that
// partly failed).
func Run[P operations.Params, R any](ctx context.Context, f *Factory, op *operations.Op[P, R], p P, asJSON bool) (result R, done bool, err error) {
	if f.Remote != nil {
		return runRemote(ctx, f, op, p, asJSON)
	}
	ctx, cancel, err := f.Context(ctx)
	if err != nil {
		return result, true, err
	}
	defer cancel()
	a, err := f.App()
	if err != nil {
		return result, true, err
	}
	call, err := f.Call(ctx)
	if err != nil {
		return result, true, err
	}
	out, err := operations.Run(ctx, a, call, op, p)
	for _, n := range out.Notes {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
	}
	if err != nil {
		if out.PlanID != "" {
			f.printRefusedPlan(op.Name(), p.Target(), out.Plan, out.PlanID, asJSON)
		}
		return out.Result, true, err
	}
	if out.DryRun {
		return result, true, f.printPlan(op.Name(), p.Target(), out.Plan, out.PlanID, asJSON)
	}
	return out.Result, false, nil
}

func (f *Factory) printPlan(name, target string, plan []ops.Step, planID string, asJSON bool) error {
	if plan == nil {
		plan = []ops.Step{}
	}
	if asJSON {
		return WriteJSON(f.IO.Out, map[string]any{"dry_run": true, "op": name, "target": target, "plan": plan, "plan_id": planID})
	}
	_, err := fmt.Fprintf(f.IO.Out, "dry run: %s would make these calls, in order (nothing was changed):\n%s", what(name, target), ops.FormatPlan(plan))
	if err == nil && planID != "" {
		_, err = fmt.Fprintf(f.IO.Out, "plan ID: %s\n", planID)
	}
	return err
}

// printRefusedPlan shows the plan of an operation the sandbox refused, with
// its plan ID and what a human must run to approve exactly that plan.
func (f *Factory) printRefusedPlan(name, target string, plan []ops.Step, planID string, asJSON bool) {
	if asJSON {
		_ = WriteJSON(f.IO.Out, map[string]any{"refused": true, "op": name, "target": target, "plan": plan, "plan_id": planID})
	} else {
		fmt.Fprintf(f.IO.Out, "refused: %s would make these calls, in order (nothing was changed):\n%splan ID: %s\n",
			what(name, target), ops.FormatPlan(plan), planID)
	}
	fmt.Fprintf(f.IO.ErrOut, "To let it run once, a human who holds the promotion key reviews this plan and runs:\n"+
		"  ceso sandbox approve %s --key FILE\nthen this command is run again with --approval APPROVAL (valid once, 10 minutes unless approve --ttl says otherwise).\n", planID)
}

func what(name, target string) string {
	if target != "" {
		return name + " " + target
	}
	return name
}

// OperationAnnotation is the cobra annotation that names the catalog
// operation a command runs.
const OperationAnnotation = "ceso.operation"

// Operation is the Annotations of a command that runs the catalog
// operation name.
func Operation(name string) map[string]string { return map[string]string{OperationAnnotation: name} }
