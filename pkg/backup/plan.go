package backup

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/ops"
)

// The plans of the backup operations are their runs made as dry runs (see
// Deps.Plan and dry.go): the same code decides, reading the real host,
// targets and catalog, and every change it would make is recorded instead.
// A plan cannot drift from the run.

// via is how a target is written: over the host's API for a datastore,
// locally otherwise.
func via(t target.Target) string {
	if _, ok := t.(*target.Datastore); ok {
		return "api"
	}
	return "local"
}

func step(via, action, detail string, a ...any) ops.Step {
	return ops.Step{Via: via, Action: action, Detail: fmt.Sprintf(detail, a...)}
}

// planWith runs fn as a dry run of d and returns the steps it recorded.
func planWith(d Deps, fn func(Deps) error) ([]ops.Step, error) {
	steps := []ops.Step{}
	d.Plan = func(s ops.Step) { steps = append(steps, s) }
	err := fn(d)
	return steps, err
}

// PlanCreate lists the steps Create would take.
func PlanCreate(ctx context.Context, d Deps, req CreateRequest) ([]ops.Step, error) {
	return planWith(d, func(d Deps) error { _, err := Create(ctx, d, req); return err })
}

// PlanVerify lists the steps Verify would take for backup id.
func PlanVerify(ctx context.Context, d Deps, id string) ([]ops.Step, error) {
	return planWith(d, func(d Deps) error { _, err := Verify(ctx, d, id); return err })
}

// PlanRestore lists the steps Restore would take.
func PlanRestore(ctx context.Context, d Deps, req RestoreRequest) ([]ops.Step, error) {
	return planWith(d, func(d Deps) error { _, err := Restore(ctx, d, req); return err })
}

// PlanDelete lists the steps Delete would take for backup id.
func PlanDelete(ctx context.Context, d Deps, id string, opts DeleteOptions) ([]ops.Step, error) {
	return planWith(d, func(d Deps) error { return Delete(ctx, d, id, opts) })
}

// PlanPrune lists the decisions of the policy and the steps that delete
// the backups it removes.
func PlanPrune(ctx context.Context, d Deps, p retention.Policy, vmName string) ([]ops.Step, error) {
	return planWith(d, func(d Deps) error { _, err := Prune(ctx, d, p, vmName, false); return err })
}

// PlanHousekeep lists what Housekeep would remove and finish.
func PlanHousekeep(ctx context.Context, d Deps) ([]ops.Step, error) {
	return planWith(d, func(d Deps) error { _, err := Housekeep(ctx, d); return err })
}
