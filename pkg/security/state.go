package security

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketTokens    = []byte("tokens")    // token ID → uses (uint64) and expiry (Unix seconds)
	bucketRevoked   = []byte("revoked")   // token or approval ID → revocation time (Unix seconds)
	bucketApprovals = []byte("approvals") // used approval ID → its expiry (Unix seconds)
)

// State is the small bbolt file that counts promotion token uses, records
// revoked tokens and approvals, and remembers used approvals so none is
// replayed. Entries of tokens and approvals past their expiry are dropped
// as new ones are written. It is safe for concurrent use; processes share
// the file through bbolt's lock.
type State struct{ db *bolt.DB }

// OpenState opens (or creates, 0600 in a 0700 directory) the state file at
// path, waiting up to 5 seconds for another process to let go of it.
func OpenState(path string) (*State, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sandbox state: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("sandbox state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTokens, bucketRevoked, bucketApprovals} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sandbox state %s: %w", path, err)
	}
	return &State{db: db}, nil
}

// Close closes the file.
func (s *State) Close() error { return s.db.Close() }

// Revoke records id (a token or approval ID) as revoked: it is refused
// from now on, whatever its expiry.
func (s *State) Revoke(id string, now time.Time) error {
	if !isHexID(id) {
		return fmt.Errorf("%w: revoke: %q is not a token or approval ID (32 hex digits)", ErrGrant, id)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRevoked).Put([]byte(id), u64(uint64(now.Unix())))
	})
}

// Revoked reports whether id was revoked.
func (s *State) Revoked(id string) (bool, error) {
	var r bool
	err := s.db.View(func(tx *bolt.Tx) error {
		r = tx.Bucket(bucketRevoked).Get([]byte(id)) != nil
		return nil
	})
	return r, err
}

// Uses returns how many times the token id was used.
func (s *State) Uses(id string) (uint64, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		n, _ = tokenEntry(tx.Bucket(bucketTokens).Get([]byte(id)))
		return nil
	})
	return n, err
}

func (s *State) checkToken(id string, max int) error {
	return s.db.View(func(tx *bolt.Tx) error { return tokenUsable(tx, id, max) })
}

func tokenUsable(tx *bolt.Tx, id string, max int) error {
	if tx.Bucket(bucketRevoked).Get([]byte(id)) != nil {
		return fmt.Errorf("%w: %s", ErrTokenRevoked, id)
	}
	if n, _ := tokenEntry(tx.Bucket(bucketTokens).Get([]byte(id))); max > 0 && n >= uint64(max) {
		return fmt.Errorf("%w: %s was used %d of %d times", ErrTokenUsedUp, id, n, max)
	}
	return nil
}

// useToken counts one use of the token id, unless it is revoked or used up.
func (s *State) useToken(id string, max int, exp, now time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tokenUsable(tx, id, max); err != nil {
			return err
		}
		b := tx.Bucket(bucketTokens)
		n, _ := tokenEntry(b.Get([]byte(id)))
		if err := prune(b, now, func(v []byte) int64 { _, e := tokenEntry(v); return e }); err != nil {
			return err
		}
		return b.Put([]byte(id), append(u64(n+1), u64(uint64(exp.Unix()))...))
	})
}

// useApproval records the approval id as used, unless it was used or
// revoked before.
func (s *State) useApproval(id string, exp, now time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketRevoked).Get([]byte(id)) != nil {
			return fmt.Errorf("%w: approval %s", ErrTokenRevoked, id)
		}
		b := tx.Bucket(bucketApprovals)
		if b.Get([]byte(id)) != nil {
			return fmt.Errorf("%w: %s", ErrApprovalReplayed, id)
		}
		if err := prune(b, now, func(v []byte) int64 { return int64(getU64(v)) }); err != nil {
			return err
		}
		return b.Put([]byte(id), u64(uint64(exp.Unix())))
	})
}

// prune deletes the entries of b whose expiry is before now.
func prune(b *bolt.Bucket, now time.Time, expiry func([]byte) int64) error {
	var old [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if expiry(v) < now.Unix() {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range old {
		err = errors.Join(err, b.Delete(k))
	}
	return err
}

// tokenEntry decodes a token's uses and expiry; a damaged entry counts as
// used up.
func tokenEntry(v []byte) (uses uint64, exp int64) {
	if v == nil {
		return 0, 0
	}
	if len(v) != 16 {
		return math.MaxUint64, 0
	}
	return getU64(v[:8]), int64(getU64(v[8:]))
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func getU64(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}
