package app

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/ops"
	"github.com/ceso/ceso/pkg/security"
)

// sandbox is the runner's Guard for one call: pkg/security's Sandbox in the
// call's effective mode, with security.allowed_ops, the call's confirmation
// and its promotion token or plan approval. The verifier (the operator's
// public keys and the state file that counts uses) is opened only when a
// token or approval is needed, and closed after the decision.
type sandbox struct {
	a    *App
	mode string
	call Call
}

var _ ops.Guard = (*sandbox)(nil)

// sandbox makes the Guard of call. Its mode is security.EffectiveMode of
// security.mode, the call's mode and the system policy's max_mode: the call
// can lower the mode, never raise it.
func (a *App) sandbox(call Call) (*sandbox, error) {
	sec := a.cfg.Security
	mode, err := security.EffectiveMode(sec.ConfiguredMode(), call.Mode, sec.PolicyMaxMode())
	if err != nil {
		return nil, err
	}
	if _, err := security.New(security.Config{Mode: mode, AllowedOps: sec.AllowedOpsList()}); err != nil {
		return nil, err
	}
	return &sandbox{a: a, mode: mode, call: call}, nil
}

// Allow implements ops.Sandbox.
func (s *sandbox) Allow(ctx context.Context, op *ops.Op) error {
	_, err := s.Decide(ctx, ops.Query{Op: op})
	return err
}

// WantsPlan implements ops.Guard: the plan ID is needed when an approval
// was given and the mode alone refuses op.
func (s *sandbox) WantsPlan(_ context.Context, op *ops.Op) bool {
	if s.call.Approval == "" {
		return false
	}
	_, err := s.check(ops.Query{Op: op}, nil)
	return err != nil
}

// PlanID implements ops.Guard: the digest of the op's name, its params as
// the audit log records them, and its plan.
func (s *sandbox) PlanID(op *ops.Op, steps []ops.Step) (string, error) {
	return security.PlanID(op.Name, op.Params, steps)
}

// Decide implements ops.Guard. The mode decides first; a refusal is lifted
// only by the call's approval or promotion token, checked against the
// operator's key and counted in the state file.
func (s *sandbox) Decide(_ context.Context, q ops.Query) (ops.Decision, error) {
	d, err := s.check(q, nil)
	if err != nil && !q.DryRun && (s.call.PromotionToken != "" || s.call.Approval != "") {
		v, done, verr := s.a.verifier()
		if verr != nil {
			return ops.Decision{}, fmt.Errorf("%w: %w; the token or approval given cannot be checked: %w", ops.ErrDenied, err, verr)
		}
		defer done()
		d, err = s.check(q, v)
	}
	if err != nil {
		return ops.Decision{}, fmt.Errorf("%w: %w", ops.ErrDenied, err)
	}
	return ops.Decision{Via: d.Via, TokenID: d.TokenID, ApprovalID: d.ApprovalID}, nil
}

// check asks pkg/security about q; with a verifier, the call's token and
// approval are presented too.
func (s *sandbox) check(q ops.Query, v *security.Verifier) (security.Decision, error) {
	sb, err := security.New(security.Config{
		Mode: s.mode, AllowedOps: s.a.cfg.Security.AllowedOpsList(), Verifier: v, Now: s.a.opts.Now,
		Protected: s.a.cfg.Security.ProtectedList(),
	})
	if err != nil {
		return security.Decision{}, err
	}
	op := security.Operation{
		Name: q.Op.Name, Class: security.Class(q.Op.Class.String()), Target: q.Op.Target,
		DryRun: q.DryRun, Confirmed: s.call.Confirmed, PlanID: q.PlanID,
		Changes: security.Changes(q.Op.Changes),
	}
	if v != nil {
		op.PromotionToken, op.Approval = s.call.PromotionToken, s.call.Approval
	}
	return sb.CheckOperation(op)
}

// verifier opens what checks tokens and approvals: the public keys of
// security.promotion_public_key (pinned by the system policy when it names
// one) and the state file. Without a configured key, tokens are refused
// (security.ErrNoVerifier). done closes the state file.
func (a *App) verifier() (v *security.Verifier, done func(), err error) {
	sec := a.cfg.Security
	if sec.PromotionPublicKey == "" {
		return &security.Verifier{}, func() {}, nil
	}
	keys, err := security.LoadPublicKeys(a.ExpandHome(sec.PromotionPublicKey))
	if err != nil {
		return nil, nil, fmt.Errorf("security.promotion_public_key: %w", err)
	}
	st, err := security.OpenState(a.cfg.SecurityStatePath())
	if err != nil {
		return nil, nil, err
	}
	v = &security.Verifier{Keys: keys, State: st, Now: a.opts.Now, MaxPromotion: sec.MaxPromotion}
	return v, func() { _ = st.Close() }, nil
}
