package security

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// Verifier checks promotion tokens and plan approvals against the
// operator's public keys, and counts their uses in State.
type Verifier struct {
	Keys  []ed25519.PublicKey
	State *State
	Now   func() time.Time // default time.Now
	// MaxPromotion and MaxApproval refuse tokens valid for longer
	// (defaults DefaultMaxPromotion and DefaultMaxApproval).
	MaxPromotion time.Duration
	MaxApproval  time.Duration
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) ready() error {
	switch {
	case v == nil || len(v.Keys) == 0:
		return ErrNoVerifier
	case v.State == nil:
		return fmt.Errorf("%w: no state file to count uses in", ErrNoVerifier)
	}
	return nil
}

// checkSignature finds the key named kid and verifies sig over signed.
func (v *Verifier) checkSignature(kid string, signed, sig []byte) error {
	for _, k := range v.Keys {
		if KeyID(k) == kid {
			if !ed25519.Verify(k, signed, sig) {
				return fmt.Errorf("%w: the signature does not verify under key %s", ErrTokenForged, kid)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: signed by key %q, the configured key is %s (security.promotion_public_key)", ErrTokenWrongKey, kid, KeyID(v.Keys[0]))
}

// checkTimes refuses a token outside [nbf, exp) or valid longer than max.
func checkTimes(id string, now time.Time, iat, nbf, exp int64, max time.Duration) error {
	if time.Duration(exp-iat)*time.Second > max {
		return fmt.Errorf("%w: %s is valid for %v, the maximum is %v", ErrTokenOverCap, id, time.Duration(exp-iat)*time.Second, max)
	}
	if now.Unix() < nbf {
		return fmt.Errorf("%w: %s starts at %s", ErrTokenNotYetValid, id, time.Unix(nbf, 0).UTC().Format(time.RFC3339))
	}
	if now.Unix() >= exp {
		return fmt.Errorf("%w: %s expired at %s", ErrTokenExpired, id, time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// ParsePromotion verifies a promotion token: its form, signature, lifetime,
// that it is valid now, not revoked and not used up. It does not check the
// scope nor count a use (UsePromotion does both).
func (v *Verifier) ParsePromotion(token string) (Promotion, error) {
	if err := v.ready(); err != nil {
		return Promotion{}, err
	}
	var c promotionClaims
	signed, sig, err := parseToken(PromotionPrefix, token, &c)
	if err != nil {
		return Promotion{}, err
	}
	if err := v.checkSignature(c.KID, signed, sig); err != nil {
		return Promotion{}, err
	}
	if err := c.validate(); err != nil {
		return Promotion{}, err
	}
	max := v.MaxPromotion
	if max <= 0 {
		max = DefaultMaxPromotion
	}
	if err := checkTimes("token "+c.ID, v.now(), c.IAT, c.NBF, c.EXP, max); err != nil {
		return Promotion{}, err
	}
	if err := v.State.checkToken(c.ID, c.MaxUses); err != nil {
		return Promotion{}, err
	}
	return c.promotion(), nil
}

// UsePromotion checks that p (from ParsePromotion) covers op on target and
// is valid now, and counts one use; the count and the revocation check are
// one transaction, so concurrent uses cannot overspend it.
func (v *Verifier) UsePromotion(p Promotion, op, target string) error {
	if err := v.ready(); err != nil {
		return err
	}
	if err := p.Covers(op, target); err != nil {
		return err
	}
	now := v.now()
	if now.Before(p.NotBefore) {
		return fmt.Errorf("%w: token %s starts at %s", ErrTokenNotYetValid, p.ID, p.NotBefore.Format(time.RFC3339))
	}
	if !now.Before(p.Expires) {
		return fmt.Errorf("%w: token %s expired at %s", ErrTokenExpired, p.ID, p.Expires.Format(time.RFC3339))
	}
	return v.State.useToken(p.ID, p.MaxUses, p.Expires, now)
}
