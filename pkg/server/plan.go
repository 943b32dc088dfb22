package server

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/security"
)

// planOf makes d's plan for params as call's caller, and its plan ID (what
// an approval is given for). A dry run changes nothing, and every security
// mode lets a classified operation show its plan; when the runner's
// sandbox refuses the plan in the caller's mode (it checks a dry run as it
// checks a run), the plan is made in the least mode that allows d's
// classes: still a dry run, audited under the caller's name.
func (s *Server) planOf(ctx context.Context, d operations.Def, call app.Call, params json.RawMessage) (operations.Outcome[any], string, error) {
	call.DryRun = true
	out, err := d.Invoke(ctx, s.app, call, params)
	if errors.Is(err, ops.ErrDenied) {
		if m := planMode(d); m != call.Mode {
			call.Mode = m
			out, err = d.Invoke(ctx, s.app, call, params)
		}
	}
	if err != nil {
		return out, "", err
	}
	id, err := security.PlanID(d.Name(), params, out.Plan)
	return out, id, err
}

// planMode is the least runner mode that allows every class of d.
func planMode(d operations.Def) string {
	most := ops.ClassRead
	for _, c := range d.Classes() {
		most = max(most, c)
	}
	switch most {
	case ops.ClassRead:
		return ops.ModeReadOnly
	case ops.ClassWrite:
		return ops.ModeStandard
	}
	return ops.ModeUnrestricted
}
