package security

import (
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParseToken feeds arbitrary text to the promotion and approval
// parsers. Neither may panic; every refusal is one of the package's token
// errors; and only the exact tokens the key signed are accepted.
func FuzzParseToken(f *testing.F) {
	key := seeded(1)
	clk := func() time.Time { return t0.Add(time.Minute) }
	signer := &Signer{Key: key, Now: func() time.Time { return t0 }, Rand: strings.NewReader(strings.Repeat("r", 64))}
	promo, _, err := signer.Promote(Grant{Ops: []string{"vm.delete"}, Targets: []string{"web01"}, Duration: time.Hour, MaxUses: 1})
	if err != nil {
		f.Fatal(err)
	}
	plan := "plan-" + strings.Repeat("ab", 16)
	appr, _, err := signer.Approve(plan, 0)
	if err != nil {
		f.Fatal(err)
	}
	st, err := OpenState(filepath.Join(f.TempDir(), "state.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = st.Close() })
	v := &Verifier{Keys: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}, State: st, Now: clk}
	signed := map[string]bool{promo: true, appr: true}

	for _, s := range []string{promo, appr, PromotionPrefix, ApprovalPrefix + ".", promo + "x", strings.ToUpper(promo), "ceso-pt1.e30.AAAA", ""} {
		f.Add(s)
	}
	known := []error{ErrTokenMalformed, ErrTokenWrongKey, ErrTokenForged, ErrTokenExpired, ErrTokenNotYetValid,
		ErrTokenOverCap, ErrTokenRevoked, ErrTokenUsedUp, ErrApprovalStale, ErrApprovalReplayed}
	isKnown := func(err error) bool {
		for _, k := range known {
			if errors.Is(err, k) {
				return true
			}
		}
		return false
	}
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := v.ParsePromotion(tok)
		if err == nil {
			if !signed[strings.TrimSpace(tok)] || p.Ops[0] != "vm.delete" {
				t.Fatalf("accepted a token it did not sign: %q", tok)
			}
		} else if !isKnown(err) {
			t.Fatalf("unclassified refusal: %v", err)
		}
		// Approvals are spent when accepted; check on another plan so the
		// seed stays usable, and expect stale for the signed one.
		_, err = v.UseApproval(tok, "plan-"+strings.Repeat("cd", 16))
		if err == nil {
			t.Fatalf("approval for another plan accepted: %q", tok)
		}
		if !isKnown(err) {
			t.Fatalf("unclassified refusal: %v", err)
		}
		if errors.Is(err, ErrApprovalStale) && !signed[strings.TrimSpace(tok)] {
			t.Fatalf("a token it did not sign got as far as the plan check: %q", tok)
		}
	})
}
