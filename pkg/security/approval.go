package security

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// planPrefix starts every plan ID.
const planPrefix = "plan-"

// PlanID is the digest of what an operation would do: its name, its params
// as canonical JSON (keys sorted, numbers as written) and its plan steps
// (any JSON-encodable value, canonicalised the same way). An approval is
// for one plan ID: if the params or the host change, the plan and its ID
// change, and the approval no longer applies.
func PlanID(operation string, params json.RawMessage, steps any) (string, error) {
	if operation == "" {
		return "", fmt.Errorf("%w: plan ID: no operation name", ErrInvalidOperation)
	}
	p, err := canonical(params)
	if err != nil {
		return "", fmt.Errorf("%w: plan ID: params: %w", ErrInvalidOperation, err)
	}
	raw, err := json.Marshal(steps)
	if err != nil {
		return "", fmt.Errorf("%w: plan ID: steps: %w", ErrInvalidOperation, err)
	}
	st, err := canonical(raw)
	if err != nil {
		return "", fmt.Errorf("%w: plan ID: steps: %w", ErrInvalidOperation, err)
	}
	env, err := json.Marshal([]any{"ceso-plan-v1", operation, p, st})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(env)
	return planPrefix + hex.EncodeToString(sum[:16]), nil
}

// canonical re-encodes JSON with sorted keys, no HTML escaping and no
// space; empty input is null.
func canonical(raw []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("null"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("more than one JSON value")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func validPlanID(s string) bool {
	rest, ok := strings.CutPrefix(s, planPrefix)
	return ok && isHexID(rest)
}

// Approval is a verified plan approval's content.
type Approval struct {
	ID       string    `json:"id"`
	KeyID    string    `json:"key_id"`
	PlanID   string    `json:"plan_id"`
	IssuedAt time.Time `json:"issued_at"`
	Expires  time.Time `json:"expires"`
}

type approvalClaims struct {
	V    int    `json:"v"`
	KID  string `json:"kid"`
	ID   string `json:"id"`
	Plan string `json:"plan"`
	IAT  int64  `json:"iat"`
	EXP  int64  `json:"exp"`
}

func (c approvalClaims) approval() Approval {
	return Approval{ID: c.ID, KeyID: c.KID, PlanID: c.Plan, IssuedAt: time.Unix(c.IAT, 0).UTC(), Expires: time.Unix(c.EXP, 0).UTC()}
}

// Approve signs an approval of exactly the plan planID, valid once and for
// ttl (DefaultApprovalTTL when 0, at most the signer's MaxApproval).
func (s *Signer) Approve(planID string, ttl time.Duration) (string, Approval, error) {
	max := s.MaxApproval
	if max <= 0 {
		max = DefaultMaxApproval
	}
	if ttl == 0 {
		ttl = DefaultApprovalTTL
	}
	switch {
	case len(s.Key) != ed25519.PrivateKeySize:
		return "", Approval{}, fmt.Errorf("%w: no private key", ErrGrant)
	case !validPlanID(planID):
		return "", Approval{}, fmt.Errorf("%w: %q is not a plan ID (%s and 32 hex digits)", ErrGrant, planID, planPrefix)
	case ttl < time.Second || ttl > max:
		return "", Approval{}, fmt.Errorf("%w: approval TTL %v must be between 1s and %v", ErrGrant, ttl, max)
	}
	id, err := newID(s.Rand)
	if err != nil {
		return "", Approval{}, err
	}
	iat := s.now().Unix()
	c := approvalClaims{V: 1, KID: KeyID(s.Key.Public().(ed25519.PublicKey)), ID: id, Plan: planID, IAT: iat, EXP: iat + int64(ttl/time.Second)}
	tok, err := sign(ApprovalPrefix, s.Key, c)
	return tok, c.approval(), err
}

// UseApproval verifies an approval token for the plan planID (the ID of
// the plan as it is now) and records it as used: a second use is refused
// (ErrApprovalReplayed), as is an approval of another plan
// (ErrApprovalStale), which is not used up by the attempt.
func (v *Verifier) UseApproval(token, planID string) (Approval, error) {
	if err := v.ready(); err != nil {
		return Approval{}, err
	}
	var c approvalClaims
	signed, sig, err := parseToken(ApprovalPrefix, token, &c)
	if err != nil {
		return Approval{}, err
	}
	if err := v.checkSignature(c.KID, signed, sig); err != nil {
		return Approval{}, err
	}
	if c.V != 1 || !isHexID(c.ID) || !validPlanID(c.Plan) || c.EXP <= c.IAT {
		return Approval{}, fmt.Errorf("%w: approval claims malformed", ErrTokenMalformed)
	}
	max := v.MaxApproval
	if max <= 0 {
		max = DefaultMaxApproval
	}
	now := v.now()
	if err := checkTimes("approval "+c.ID, now, c.IAT, c.IAT, c.EXP, max); err != nil {
		return Approval{}, err
	}
	if c.Plan != planID {
		return Approval{}, fmt.Errorf("%w: approval %s is for %s but the plan is now %s: the host or the params changed; review the new plan and approve it", ErrApprovalStale, c.ID, c.Plan, planID)
	}
	if err := v.State.useApproval(c.ID, time.Unix(c.EXP, 0), now); err != nil {
		return Approval{}, err
	}
	return c.approval(), nil
}
