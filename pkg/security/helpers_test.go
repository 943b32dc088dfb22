package security

import (
	"crypto/ed25519"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// seeded returns a deterministic key pair.
func seeded(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return ed25519.NewKeyFromSeed(seed)
}

// rig is a signer and a verifier sharing a key, a clock and a state file.
type rig struct {
	clk    *clock
	signer *Signer
	ver    *Verifier
	state  *State
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st, err := OpenState(filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := &clock{now: t0}
	key := seeded(1)
	return &rig{
		clk:    clk,
		signer: &Signer{Key: key, Now: clk.Now},
		ver:    &Verifier{Keys: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}, State: st, Now: clk.Now},
		state:  st,
	}
}

func (r *rig) promote(t *testing.T, g Grant) (string, Promotion) {
	t.Helper()
	tok, p, err := r.signer.Promote(g)
	if err != nil {
		t.Fatal(err)
	}
	return tok, p
}
