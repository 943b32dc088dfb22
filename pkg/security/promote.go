package security

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Limits on tokens and approvals unless configured otherwise.
const (
	// DefaultMaxPromotion is the longest a promotion token may be valid
	// (security.max_promotion).
	DefaultMaxPromotion = time.Hour
	// DefaultMaxApproval is the longest a plan approval may be valid.
	DefaultMaxApproval = 15 * time.Minute
	// DefaultApprovalTTL is how long an approval is valid when no TTL is
	// given.
	DefaultApprovalTTL = 10 * time.Minute
)

// Signer issues promotion tokens and plan approvals with the operator's
// private key. It belongs with the human operator, never with the process
// the sandbox guards.
type Signer struct {
	Key  ed25519.PrivateKey
	Now  func() time.Time // default time.Now
	Rand io.Reader        // for token IDs; default crypto/rand
	// MaxPromotion and MaxApproval cap what Promote and Approve issue
	// (defaults DefaultMaxPromotion and DefaultMaxApproval).
	MaxPromotion time.Duration
	MaxApproval  time.Duration
}

// Grant is what a promotion token allows.
type Grant struct {
	Ops      []string      // operation names, e.g. "vm.delete"; at least one
	Targets  []string      // target names; none means any target
	Duration time.Duration // from now; at most the signer's MaxPromotion
	// NotBefore delays the start (zero: now); it does not move the expiry.
	NotBefore time.Time
	MaxUses   int // 0: any number of uses until it expires
}

// Promotion is a verified promotion token's content.
type Promotion struct {
	ID        string    `json:"id"`
	KeyID     string    `json:"key_id"`
	IssuedAt  time.Time `json:"issued_at"`
	NotBefore time.Time `json:"not_before"`
	Expires   time.Time `json:"expires"`
	Ops       []string  `json:"ops"`
	Targets   []string  `json:"targets,omitempty"`
	MaxUses   int       `json:"max_uses,omitempty"`
}

// promotionClaims is a promotion token's payload; times are Unix seconds.
type promotionClaims struct {
	V       int      `json:"v"`
	KID     string   `json:"kid"`
	ID      string   `json:"id"`
	IAT     int64    `json:"iat"`
	NBF     int64    `json:"nbf"`
	EXP     int64    `json:"exp"`
	Ops     []string `json:"ops"`
	Targets []string `json:"targets,omitempty"`
	MaxUses int      `json:"max_uses,omitempty"`
}

func (s *Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Promote signs a promotion token for g and returns it with its content.
func (s *Signer) Promote(g Grant) (string, Promotion, error) {
	max := s.MaxPromotion
	if max <= 0 {
		max = DefaultMaxPromotion
	}
	switch {
	case len(s.Key) != ed25519.PrivateKeySize:
		return "", Promotion{}, fmt.Errorf("%w: no private key", ErrGrant)
	case g.Duration <= 0:
		return "", Promotion{}, fmt.Errorf("%w: duration must be positive, got %v", ErrGrant, g.Duration)
	case g.Duration > max:
		return "", Promotion{}, fmt.Errorf("%w: duration %v is over the %v cap (security.max_promotion)", ErrGrant, g.Duration, max)
	case g.MaxUses < 0:
		return "", Promotion{}, fmt.Errorf("%w: max uses must not be negative, got %d", ErrGrant, g.MaxUses)
	}
	if err := checkNames("operation", g.Ops, true); err != nil {
		return "", Promotion{}, err
	}
	if err := checkNames("target", g.Targets, false); err != nil {
		return "", Promotion{}, err
	}
	id, err := newID(s.Rand)
	if err != nil {
		return "", Promotion{}, err
	}
	iat := s.now().Unix()
	c := promotionClaims{V: 1, KID: KeyID(s.Key.Public().(ed25519.PublicKey)), ID: id, IAT: iat, NBF: iat,
		EXP: iat + int64(g.Duration/time.Second), Ops: slices.Clone(g.Ops), Targets: slices.Clone(g.Targets), MaxUses: g.MaxUses}
	if !g.NotBefore.IsZero() && g.NotBefore.Unix() > iat {
		c.NBF = g.NotBefore.Unix()
	}
	if c.EXP <= c.NBF {
		return "", Promotion{}, fmt.Errorf("%w: the token would expire before it starts", ErrGrant)
	}
	tok, err := sign(PromotionPrefix, s.Key, c)
	return tok, c.promotion(), err
}

func checkNames(what string, names []string, need bool) error {
	if need && len(names) == 0 {
		return fmt.Errorf("%w: name at least one %s", ErrGrant, what)
	}
	for i, n := range names {
		if n == "" || strings.ContainsAny(n, ", \t\n") {
			return fmt.Errorf("%w: %s %d is %q: want a name without spaces or commas", ErrGrant, what, i+1, n)
		}
	}
	return nil
}

func (c promotionClaims) promotion() Promotion {
	return Promotion{ID: c.ID, KeyID: c.KID, IssuedAt: time.Unix(c.IAT, 0).UTC(), NotBefore: time.Unix(c.NBF, 0).UTC(),
		Expires: time.Unix(c.EXP, 0).UTC(), Ops: c.Ops, Targets: c.Targets, MaxUses: c.MaxUses}
}

// validate checks the claims are well formed; it trusts nothing yet.
func (c promotionClaims) validate() error {
	switch {
	case c.V != 1:
		return fmt.Errorf("%w: version %d, want 1", ErrTokenMalformed, c.V)
	case !isHexID(c.ID):
		return fmt.Errorf("%w: id is not 32 hex digits", ErrTokenMalformed)
	case c.MaxUses < 0:
		return fmt.Errorf("%w: negative max_uses", ErrTokenMalformed)
	case c.NBF < c.IAT || c.EXP <= c.NBF:
		return fmt.Errorf("%w: times out of order (iat %d, nbf %d, exp %d)", ErrTokenMalformed, c.IAT, c.NBF, c.EXP)
	}
	if checkNames("operation", c.Ops, true) != nil || checkNames("target", c.Targets, false) != nil {
		return fmt.Errorf("%w: bad operation or target names", ErrTokenMalformed)
	}
	return nil
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Covers checks that the promotion names op and, if it names targets,
// target.
func (p Promotion) Covers(op, target string) error {
	if !slices.Contains(p.Ops, op) {
		return fmt.Errorf("%w: token %s allows %s, not %s", ErrTokenOpScope, p.ID, strings.Join(p.Ops, ","), op)
	}
	if len(p.Targets) > 0 && !slices.Contains(p.Targets, target) {
		return fmt.Errorf("%w: token %s allows targets %s, not %q", ErrTokenTargetScope, p.ID, strings.Join(p.Targets, ","), target)
	}
	return nil
}
