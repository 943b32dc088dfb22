package ops

import (
	"context"
	"encoding/json"
	"fmt"
)

// Sandbox decides whether an operation may run, from its name, class and
// target.
type Sandbox interface {
	Allow(ctx context.Context, op *Op) error
}

// Modes of ModeSandbox, from the most to the least restrictive.
// ModeRestricted is ModeReadOnly's newer name.
const (
	ModeRestricted   = "restricted"
	ModeReadOnly     = "read-only"
	ModeStandard     = "standard"
	ModeUnrestricted = "unrestricted"
)

// ModeSandbox allows operations by class: restricted (read-only) allows reads, standard
// allows reads and writes, unrestricted allows everything, operations
// without a class included. Any other mode allows nothing (deny by
// default).
type ModeSandbox struct{ Mode string }

// Allow implements Sandbox.
func (s ModeSandbox) Allow(_ context.Context, op *Op) error {
	if s.Mode == ModeUnrestricted {
		return nil
	}
	if op.Class == ClassUnknown {
		return fmt.Errorf("%w: %s has no class (mode %s)", ErrDenied, op.Name, s.Mode)
	}
	allowed := false
	switch s.Mode {
	case ModeReadOnly, ModeRestricted:
		allowed = op.Class == ClassRead
	case ModeStandard:
		allowed = op.Class == ClassRead || op.Class == ClassWrite
	}
	if !allowed {
		return fmt.Errorf("%w: %s is a %s operation and security mode %q does not allow it", ErrDenied, op.Name, op.Class, s.Mode)
	}
	return nil
}

// Record is one audit record: the start or the end of an operation.
type Record struct {
	Phase         string `json:"phase"` // "start" or "end"
	CorrelationID string `json:"correlation_id"`
	Actor         string `json:"actor"`
	Op            string `json:"op"`
	Class         string `json:"class"`
	Mode          string `json:"mode,omitempty"` // the sandbox mode it ran under
	Target        string `json:"target,omitempty"`
	// TokenID and ApprovalID name the promotion token or plan approval that
	// let the op run, when one did.
	TokenID    string `json:"token_id,omitempty"`
	ApprovalID string `json:"approval_id,omitempty"`
	// Transport is how the op reached the host ("api", "ssh", "api+ssh"),
	// known at its end.
	Transport  string          `json:"transport,omitempty"`
	Params     json.RawMessage `json:"params,omitempty"` // secret fields HMAC'd
	DryRun     bool            `json:"dry_run,omitempty"`
	Outcome    string          `json:"outcome,omitempty"` // end: success, failure, refused
	Error      string          `json:"error,omitempty"`
	DurationMS int64           `json:"duration_ms,omitempty"`
	Notes      []string        `json:"notes,omitempty"`
}

// Auditor writes audit records. A Write error refuses the operation.
type Auditor interface {
	Write(ctx context.Context, r Record) error
}

// NopAuditor writes nothing.
type NopAuditor struct{}

// Write implements Auditor.
func (NopAuditor) Write(context.Context, Record) error { return nil }

// Observer receives the duration and outcome of every operation that ran
// (the metrics).
type Observer interface {
	ObserveOperation(op, status string, seconds float64)
}

// GuardObserver, when the Observer implements it too, is told of every
// refusal by the sandbox and every audit record that could not be written.
type GuardObserver interface {
	SandboxDenied(op, mode string)
	AuditWriteFailed()
}
