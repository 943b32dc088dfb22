package security

import (
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func countKeys(t *testing.T, s *State, bucket []byte) int {
	t.Helper()
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucket).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStateCountsUsesAtomically(t *testing.T) {
	r := newRig(t)
	_, p := r.promote(t, Grant{Ops: []string{"vm.delete"}, Duration: time.Hour, MaxUses: 5})
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.ver.UsePromotion(p, "vm.delete", ""); err == nil {
				ok.Add(1)
			} else if !errors.Is(err, ErrTokenUsedUp) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 5 {
		t.Fatalf("%d uses went through, want 5", ok.Load())
	}
	if n, _ := r.state.Uses(p.ID); n != 5 {
		t.Fatalf("%d uses counted", n)
	}
}

func TestStatePersistsAndPrunes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "sandbox.db")
	s, err := OpenState(path)
	if err != nil {
		t.Fatal(err)
	}
	id := "0123456789abcdef0123456789abcdef"
	if err := s.Revoke(id, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke("not-an-id", t0); !errors.Is(err, ErrGrant) {
		t.Fatalf("bad ID: %v", err)
	}
	old := "11111111111111111111111111111111"
	if err := s.useToken(old, 0, t0.Add(time.Minute), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenState(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r, _ := s.Revoked(id); !r {
		t.Fatal("revocation lost on reopen")
	}
	if n, _ := s.Uses(old); n != 1 {
		t.Fatalf("uses lost on reopen: %d", n)
	}
	// A later use of another token drops the expired entry.
	if err := s.useToken("22222222222222222222222222222222", 0, t0.Add(time.Hour), t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Uses(old); n != 0 || countKeys(t, s, bucketTokens) != 1 {
		t.Fatalf("expired token entry kept")
	}
	// A damaged entry counts as used up.
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTokens).Put([]byte(id[:31]+"9"), []byte("x")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.checkToken(id[:31]+"9", 10); !errors.Is(err, ErrTokenUsedUp) {
		t.Fatalf("damaged entry: %v", err)
	}
	if _, err := OpenState(filepath.Join(path, "below-a-file")); err == nil {
		t.Fatal("a state file below a file must fail")
	}
}
