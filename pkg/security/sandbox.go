package security

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Operation is what the sandbox decides on.
type Operation struct {
	Name   string // registered name, e.g. "vm.delete"
	Class  Class  // read, write or destructive; anything else is unclassified
	Target string // what it acts on, e.g. the VM name
	// DryRun says only the plan will run.
	DryRun bool
	// Confirmed says the user confirmed a destructive operation (a prompt
	// answered, or --yes).
	Confirmed bool
	// PromotionToken lifts the restriction for this operation alone.
	PromotionToken string
	// Approval is a plan approval token, checked against PlanID, the ID of
	// the operation's plan as it is now.
	Approval string
	PlanID   string
	// Changes are the objects it changes, checked against
	// security.protected.
	Changes Changes
}

// Ways an operation was let through (Decision.Via).
const (
	ViaMode         = "mode"
	ViaDryRun       = "dry-run"
	ViaConfirmation = "confirmation"
	ViaPromotion    = "promotion"
	ViaApproval     = "approval"
)

// Decision says why an operation may run, for the audit record.
type Decision struct {
	Mode       Mode   `json:"mode"`
	Via        string `json:"via"`
	TokenID    string `json:"token_id,omitempty"`
	ApprovalID string `json:"approval_id,omitempty"`
}

// Config configures a Sandbox.
type Config struct {
	// Mode is the effective mode (EffectiveMode).
	Mode string
	// AllowedOps, when not nil, narrows what may run in restricted and
	// standard mode to these operation names (security.allowed_ops, and
	// the system policy's, intersected with IntersectOps). An empty,
	// non-nil list allows nothing.
	AllowedOps []string
	// Verifier checks promotion tokens and approvals; nil refuses them.
	Verifier *Verifier
	// Now is the clock for temporary promotions (default time.Now).
	Now func() time.Time
	// Protected are the VMs and datastores no operation may change, in
	// any mode, without a promotion token naming them.
	Protected Protected
}

// Sandbox decides which operations run. Deny by default: anything not
// allowed by the mode, a promotion or an approval is refused with an error
// saying why. It is safe for concurrent use.
type Sandbox struct {
	mode      Mode
	allowed   []string
	verifier  *Verifier
	now       func() time.Time
	protected Protected

	mu       sync.Mutex
	promoted []activePromotion
}

type activePromotion struct {
	p     Promotion
	until time.Time
}

// New returns a sandbox for cfg.
func New(cfg Config) (*Sandbox, error) {
	m, err := ParseMode(cfg.Mode)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	for i, op := range cfg.AllowedOps {
		if op == "" {
			return nil, fmt.Errorf("%w: security.allowed_ops[%d] is empty", ErrNotAllowed, i)
		}
	}
	if err := cfg.Protected.Validate(); err != nil {
		return nil, fmt.Errorf("%w: security.protected.%w", ErrInvalidOperation, err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Sandbox{mode: m, allowed: slices.Clone(cfg.AllowedOps), verifier: cfg.Verifier, now: now, protected: cfg.Protected}, nil
}

// Mode returns the sandbox's mode.
func (s *Sandbox) Mode() Mode { return s.mode }

// CheckOperation decides whether op may run, and how. In order: an
// operation that changes a protected VM or datastore (security.protected)
// runs, in any mode, only with a promotion token naming it and the
// operation (ErrProtected); an unrestricted sandbox allows everything; an unclassified operation is
// refused (ErrUnclassified); allowed_ops narrows (ErrNotAllowed); reads
// run; in restricted mode writes and destructive operations run as dry runs
// only (ErrPlanOnly); in standard mode destructive ones need Confirmed or a
// dry run (ErrNeedsConfirmation). A refusal is lifted by op's approval of
// its current plan, by op's promotion token, or by an active promotion
// (PromoteTemporary) that covers op; the first that applies is used up by
// one use. An approval or token that is needed but invalid gives an error
// matching both the refusal and the token's own error. Tokens and approvals
// are not looked at, nor used, when the mode allows op anyway.
func (s *Sandbox) CheckOperation(op Operation) (Decision, error) {
	d := Decision{Mode: s.mode, Via: ViaMode}
	if op.Name == "" {
		return d, fmt.Errorf("%w: no operation name", ErrInvalidOperation)
	}
	if pd, hit, err := s.checkProtected(op); hit {
		return pd, err
	}
	if s.mode == Unrestricted {
		return d, nil
	}
	if !op.Class.known() {
		return d, fmt.Errorf("%w: %s (class %q) is refused in %s mode", ErrUnclassified, op.Name, op.Class, s.mode)
	}
	refusal := s.baseRefusal(op)
	if refusal == nil {
		switch {
		case op.DryRun && op.Class != ClassRead:
			d.Via = ViaDryRun
		case op.Class == ClassDestructive && s.mode == Standard:
			d.Via = ViaConfirmation
		}
		return d, nil
	}
	if op.Approval != "" {
		a, err := s.verifier.UseApproval(op.Approval, op.PlanID)
		if err != nil {
			return d, fmt.Errorf("%w; the approval given does not lift it: %w", refusal, err)
		}
		d.Via, d.ApprovalID = ViaApproval, a.ID
		return d, nil
	}
	if op.PromotionToken != "" {
		p, err := s.verifier.ParsePromotion(op.PromotionToken)
		if err == nil {
			err = s.verifier.UsePromotion(p, op.Name, op.Target)
		}
		if err != nil {
			return d, fmt.Errorf("%w; the promotion token given does not lift it: %w", refusal, err)
		}
		d.Via, d.TokenID = ViaPromotion, p.ID
		return d, nil
	}
	if id, ok := s.usePromotion(op); ok {
		d.Via, d.TokenID = ViaPromotion, id
		return d, nil
	}
	return d, refusal
}

// baseRefusal is what the mode and allowed_ops alone say of op.
func (s *Sandbox) baseRefusal(op Operation) error {
	if s.allowed != nil && !slices.Contains(s.allowed, op.Name) {
		return fmt.Errorf("%w: %s is not in allowed_ops (%s mode)", ErrNotAllowed, op.Name, s.mode)
	}
	switch {
	case op.Class == ClassRead, op.DryRun:
		return nil
	case s.mode == Restricted:
		return fmt.Errorf("%w: %s is a %s operation; an operator can approve its plan ID (ceso sandbox approve) or give a promotion token", ErrPlanOnly, op.Name, op.Class)
	case op.Class == ClassDestructive && !op.Confirmed:
		return fmt.Errorf("%w: %s is destructive; confirm it (--yes where the command asks), or an operator can approve its plan ID or give a promotion token", ErrNeedsConfirmation, op.Name)
	}
	return nil
}

// usePromotion finds an active promotion covering op and counts a use.
func (s *Sandbox) usePromotion(op Operation) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, a := range s.promoted {
		if now.Before(a.until) && a.p.Covers(op.Name, op.Target) == nil && s.verifier.UsePromotion(a.p, op.Name, op.Target) == nil {
			return a.p.ID, true
		}
	}
	return "", false
}

// PromoteTemporary verifies a promotion token and, until it expires or d
// has passed (whichever is first; d <= 0 means until it expires), lets the
// operations and targets it names run as if the mode allowed them. Each
// operation it lets through counts as one use of the token. The token does
// not lift an unclassified operation.
func (s *Sandbox) PromoteTemporary(token string, d time.Duration) (Promotion, error) {
	p, err := s.verifier.ParsePromotion(token)
	if err != nil {
		return Promotion{}, fmt.Errorf("promotion refused: %w", err)
	}
	until := p.Expires
	if d > 0 {
		if t := s.now().Add(d); t.Before(until) {
			until = t
		}
	}
	s.mu.Lock()
	s.promoted = append(s.promoted, activePromotion{p: p, until: until})
	s.mu.Unlock()
	return p, nil
}

// EnforceRestrictions ends every temporary promotion now: from here on only
// the mode (and tokens or approvals given with an operation) decide.
func (s *Sandbox) EnforceRestrictions() {
	s.mu.Lock()
	s.promoted = nil
	s.mu.Unlock()
}

// IntersectOps narrows one allowed_ops list by another. nil means no list
// (everything allowed), so it leaves the other as it is; two lists give the
// names in both, a non-nil list even when they have none in common.
func IntersectOps(a, b []string) []string {
	switch {
	case a == nil:
		return slices.Clone(b)
	case b == nil:
		return slices.Clone(a)
	}
	out := []string{}
	for _, op := range a {
		if slices.Contains(b, op) && !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out
}
