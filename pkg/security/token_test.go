package security

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// resign replaces a token's payload with edit(payload) and signs it with
// key, as someone holding key would.
func resign(t *testing.T, tok string, key ed25519.PrivateKey, edit func(map[string]any)) string {
	t.Helper()
	body, _, _ := strings.Cut(strings.TrimPrefix(tok, PromotionPrefix), ".")
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := sign(PromotionPrefix, key, m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPromotionTokens(t *testing.T) {
	grant := Grant{Ops: []string{"vm.delete", "vm.create"}, Targets: []string{"web01"}, Duration: 30 * time.Minute, MaxUses: 2}
	tests := []struct {
		name   string
		token  func(t *testing.T, r *rig, tok string) string
		at     time.Duration // clock offset from issue time when used
		op     string
		target string
		want   error
	}{
		{"valid", nil, time.Minute, "vm.delete", "web01", nil},
		{"valid at the last second", nil, 30*time.Minute - time.Second, "vm.create", "web01", nil},
		{"expired", nil, 30 * time.Minute, "vm.delete", "web01", ErrTokenExpired},
		{"not yet valid", func(t *testing.T, r *rig, _ string) string {
			tok, _, err := r.signer.Promote(Grant{Ops: []string{"vm.delete"}, Duration: 30 * time.Minute, NotBefore: t0.Add(10 * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, 5 * time.Minute, "vm.delete", "web01", ErrTokenNotYetValid},
		{"wrong op", nil, 0, "backup.delete", "web01", ErrTokenOpScope},
		{"wrong target", nil, 0, "vm.delete", "db01", ErrTokenTargetScope},
		{"wrong key", func(t *testing.T, r *rig, tok string) string {
			s := Signer{Key: seeded(2), Now: r.clk.Now}
			other, _, err := s.Promote(grant)
			if err != nil {
				t.Fatal(err)
			}
			return other
		}, 0, "vm.delete", "web01", ErrTokenWrongKey},
		{"forged: scope widened, signed with another key under ours", func(t *testing.T, r *rig, tok string) string {
			return resign(t, tok, seeded(2), func(m map[string]any) { m["targets"] = []string{"db01"} })
		}, 0, "vm.delete", "db01", ErrTokenForged},
		{"forged: signature byte flipped", func(t *testing.T, r *rig, tok string) string {
			b := []byte(tok)
			i := len(b) - 10
			b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
			return string(b)
		}, 0, "vm.delete", "web01", ErrTokenForged},
		{"forged: payload of another token with this signature", func(t *testing.T, r *rig, tok string) string {
			other, _ := r.promote(t, Grant{Ops: []string{"vm.delete"}, Duration: time.Minute})
			otherBody, _, _ := strings.Cut(strings.TrimPrefix(other, PromotionPrefix), ".")
			_, sig, _ := strings.Cut(strings.TrimPrefix(tok, PromotionPrefix), ".")
			return PromotionPrefix + otherBody + "." + sig
		}, 0, "vm.delete", "web01", ErrTokenForged},
		{"over the cap", func(t *testing.T, r *rig, _ string) string {
			s := Signer{Key: r.signer.Key, Now: r.clk.Now, MaxPromotion: 3 * time.Hour}
			tok, _, err := s.Promote(Grant{Ops: []string{"vm.delete"}, Duration: 2 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, 0, "vm.delete", "web01", ErrTokenOverCap},
		{"approval passed as a promotion", func(t *testing.T, r *rig, _ string) string {
			tok, _, err := r.signer.Approve("plan-"+strings.Repeat("ab", 16), 0)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}, 0, "vm.delete", "web01", ErrTokenMalformed},
		{"signed but malformed claims", func(t *testing.T, r *rig, tok string) string {
			return resign(t, tok, r.signer.Key, func(m map[string]any) { m["ops"] = []string{"vm delete"} })
		}, 0, "vm.delete", "web01", ErrTokenMalformed},
		{"signed with an unknown field", func(t *testing.T, r *rig, tok string) string {
			return resign(t, tok, r.signer.Key, func(m map[string]any) { m["admin"] = true })
		}, 0, "vm.delete", "web01", ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			tok, _ := r.promote(t, grant)
			if tt.token != nil {
				tok = tt.token(t, r, tok)
			}
			r.clk.Set(t0.Add(tt.at))
			p, err := r.ver.ParsePromotion(tok)
			if err == nil {
				err = r.ver.UsePromotion(p, tt.op, tt.target)
			}
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestPromotionUsesAndRevocation(t *testing.T) {
	r := newRig(t)
	tok, p := r.promote(t, Grant{Ops: []string{"vm.delete"}, Duration: time.Hour, MaxUses: 2})
	if p.Expires.Sub(p.IssuedAt) != time.Hour || !p.NotBefore.Equal(p.IssuedAt) || !p.IssuedAt.Equal(t0) || p.KeyID != KeyID(r.ver.Keys[0]) {
		t.Fatalf("%+v", p)
	}
	for i := range 2 {
		got, err := r.ver.ParsePromotion(" " + tok + "\n")
		if err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
		if err := r.ver.UsePromotion(got, "vm.delete", "anything"); err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
	}
	if _, err := r.ver.ParsePromotion(tok); !errors.Is(err, ErrTokenUsedUp) || !strings.Contains(err.Error(), "used 2 of 2") {
		t.Fatalf("third parse: %v", err)
	}
	if err := r.ver.UsePromotion(p, "vm.delete", "x"); !errors.Is(err, ErrTokenUsedUp) {
		t.Fatalf("third use: %v", err)
	}

	unlimited, p2 := r.promote(t, Grant{Ops: []string{"vm.delete"}, Duration: time.Hour})
	for range 5 {
		if err := r.ver.UsePromotion(p2, "vm.delete", "x"); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.state.Revoke(p2.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ver.ParsePromotion(unlimited); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("revoked parse: %v", err)
	}
	if err := r.ver.UsePromotion(p2, "vm.delete", "x"); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("revoked use: %v", err)
	}
	// UsePromotion checks the clock again: a token parsed in time and used
	// late is refused.
	_, p3 := r.promote(t, Grant{Ops: []string{"vm.delete"}, Duration: time.Minute, NotBefore: t0.Add(30 * time.Second)})
	if err := r.ver.UsePromotion(p3, "vm.delete", "x"); !errors.Is(err, ErrTokenNotYetValid) {
		t.Fatalf("early use: %v", err)
	}
	r.clk.Set(t0.Add(time.Hour))
	if err := r.ver.UsePromotion(p3, "vm.delete", "x"); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("late use: %v", err)
	}
}

func TestSignerRefusesBadGrants(t *testing.T) {
	s := &Signer{Key: seeded(1), Now: func() time.Time { return t0 }}
	tests := []struct {
		name string
		g    Grant
		want string
	}{
		{"no ops", Grant{Duration: time.Minute}, "at least one operation"},
		{"empty op", Grant{Ops: []string{""}, Duration: time.Minute}, "operation 1"},
		{"op list in one", Grant{Ops: []string{"vm.create,vm.delete"}, Duration: time.Minute}, "without spaces or commas"},
		{"bad target", Grant{Ops: []string{"vm.create"}, Targets: []string{"a b"}, Duration: time.Minute}, "target 1"},
		{"no duration", Grant{Ops: []string{"vm.create"}}, "must be positive"},
		{"over the cap", Grant{Ops: []string{"vm.create"}, Duration: 2 * time.Hour}, "over the 1h0m0s cap"},
		{"negative uses", Grant{Ops: []string{"vm.create"}, Duration: time.Minute, MaxUses: -1}, "max uses"},
		{"under a second", Grant{Ops: []string{"vm.create"}, Duration: time.Millisecond}, "expire before it starts"},
		{"starts after it ends", Grant{Ops: []string{"vm.create"}, Duration: time.Minute, NotBefore: t0.Add(time.Hour)}, "expire before it starts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.Promote(tt.g)
			if !errors.Is(err, ErrGrant) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrGrant saying %q", err, tt.want)
			}
		})
	}
	if _, _, err := (&Signer{}).Promote(Grant{Ops: []string{"a"}, Duration: time.Minute}); !errors.Is(err, ErrGrant) {
		t.Fatalf("no key: %v", err)
	}
	if _, _, err := (&Signer{Key: seeded(1), Rand: strings.NewReader("short")}).Promote(Grant{Ops: []string{"a"}, Duration: time.Minute}); !errors.Is(err, ErrGrant) {
		t.Fatalf("no randomness: %v", err)
	}
	// The real clock and randomness by default.
	tok, p, err := (&Signer{Key: seeded(1)}).Promote(Grant{Ops: []string{"a"}, Duration: time.Minute})
	if err != nil || !strings.HasPrefix(tok, PromotionPrefix) || time.Since(p.IssuedAt) > time.Minute || !isHexID(p.ID) {
		t.Fatalf("%q %+v %v", tok, p, err)
	}
}

func TestVerifierNeedsKeysAndState(t *testing.T) {
	r := newRig(t)
	tok, p := r.promote(t, Grant{Ops: []string{"a"}, Duration: time.Minute})
	for _, v := range []*Verifier{nil, {}, {Keys: r.ver.Keys}} {
		if _, err := v.ParsePromotion(tok); !errors.Is(err, ErrNoVerifier) {
			t.Fatalf("ParsePromotion: %v", err)
		}
		if err := v.UsePromotion(p, "a", ""); !errors.Is(err, ErrNoVerifier) {
			t.Fatalf("UsePromotion: %v", err)
		}
		if _, err := v.UseApproval("x", "y"); !errors.Is(err, ErrNoVerifier) {
			t.Fatalf("UseApproval: %v", err)
		}
	}
}

func TestParseTokenRejectsMalformedText(t *testing.T) {
	r := newRig(t)
	tok, _ := r.promote(t, Grant{Ops: []string{"a"}, Duration: time.Minute})
	body, sig, _ := strings.Cut(strings.TrimPrefix(tok, PromotionPrefix), ".")
	tests := []struct{ name, tok, want string }{
		{"empty", "", "starting"},
		{"other prefix", "ceso-pt2." + body + "." + sig, "starting"},
		{"no signature", PromotionPrefix + body, "PAYLOAD.SIGNATURE"},
		{"three parts", PromotionPrefix + body + "." + sig + ".x", "PAYLOAD.SIGNATURE"},
		{"padded base64", PromotionPrefix + body + "==." + sig, "payload"},
		{"short signature", PromotionPrefix + body + "." + sig[:20], "signature"},
		{"payload not JSON", PromotionPrefix + base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + sig, "payload"},
		{"two payloads", PromotionPrefix + base64.RawURLEncoding.EncodeToString([]byte(`{"v":1}{"v":1}`)) + "." + sig, "after the payload"},
		{"too long", PromotionPrefix + strings.Repeat("A", maxTokenLen), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.ver.ParsePromotion(tt.tok)
			if !errors.Is(err, ErrTokenMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrTokenMalformed saying %q", err, tt.want)
			}
		})
	}
}
