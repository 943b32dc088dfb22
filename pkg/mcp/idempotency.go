package mcp

import (
	"context"
	"fmt"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Defaults of the idempotency keys.
const (
	// DefaultIdempotencyTTL is how long a call's result answers a repeated
	// key.
	DefaultIdempotencyTTL = 24 * time.Hour
	// DefaultIdempotencyKeys is how many keys each identity keeps; the
	// oldest goes first.
	DefaultIdempotencyKeys = 256
	// maxKeyLength bounds an idempotency key.
	maxKeyLength = 128
)

// idemStore remembers, per identity and idempotency key, the result of the
// first call that acted, so that a retry gets it instead of acting again.
// A call that did not act (refused, invalid, a dry run) is not kept. A call
// made while the first with the same key still runs waits for it. It is
// bounded in time and in keys per identity; it lives in memory only.
type idemStore struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu  sync.Mutex
	ids map[string]*idemKeys
}

type idemKeys struct {
	entries map[string]*idemEntry
	order   []string // keys, oldest first
}

type idemEntry struct {
	tool, args string // what the key was first used for
	done       chan struct{}
	result     *sdk.CallToolResult
	kept       bool // the call acted: its result answers repeats
	expires    time.Time
}

func newIdemStore(ttl time.Duration, max int, now func() time.Time) *idemStore {
	if ttl <= 0 {
		ttl = DefaultIdempotencyTTL
	}
	if max <= 0 {
		max = DefaultIdempotencyKeys
	}
	return &idemStore{ttl: ttl, max: max, now: now, ids: map[string]*idemKeys{}}
}

// do runs fn once per (identity, key) while its result is kept: a repeat
// with the same tool and arguments gets the first result (replayed true),
// one with others gets ErrIdempotencyConflict. fn says whether its call
// acted; a result that did not act is not kept.
func (s *idemStore) do(ctx context.Context, identity, key, tool, args string, fn func() (*sdk.CallToolResult, bool)) (res *sdk.CallToolResult, replayed bool, err error) {
	for {
		e, mine, err := s.claim(identity, key, tool, args)
		if err != nil {
			return nil, false, err
		}
		if mine {
			res, acted := fn()
			s.finish(identity, key, e, res, acted)
			return res, false, nil
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		if e.kept {
			return e.result, true, nil
		}
		// The first call did not act: this one may try.
	}
}

// claim returns the live entry of key, or makes one the caller must
// finish (mine).
func (s *idemStore) claim(identity, key, tool, args string) (e *idemEntry, mine bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ks := s.ids[identity]
	if ks == nil {
		ks = &idemKeys{entries: map[string]*idemEntry{}}
		s.ids[identity] = ks
	}
	now := s.now()
	s.expire(ks, now)
	if e := ks.entries[key]; e != nil {
		if e.tool != tool || e.args != args {
			return nil, false, fmt.Errorf("%w: key %q was first used for %s with other arguments; use a new key for a new request", ErrIdempotencyConflict, key, e.tool)
		}
		return e, false, nil
	}
	for len(ks.order) >= s.max {
		delete(ks.entries, ks.order[0])
		ks.order = ks.order[1:]
	}
	e = &idemEntry{tool: tool, args: args, done: make(chan struct{}), expires: now.Add(s.ttl)}
	ks.entries[key] = e
	ks.order = append(ks.order, key)
	return e, true, nil
}

// finish records the result of the entry's call, or forgets the key when
// the call did not act.
func (s *idemStore) finish(identity, key string, e *idemEntry, res *sdk.CallToolResult, acted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.result, e.kept = res, acted
	e.expires = s.now().Add(s.ttl)
	close(e.done)
	if acted {
		return
	}
	ks := s.ids[identity]
	if ks.entries[key] == e {
		delete(ks.entries, key)
		for i, k := range ks.order {
			if k == key {
				ks.order = append(ks.order[:i], ks.order[i+1:]...)
				break
			}
		}
	}
}

// expire drops the finished entries past their time; s.mu is held.
func (s *idemStore) expire(ks *idemKeys, now time.Time) {
	kept := ks.order[:0]
	for _, k := range ks.order {
		e := ks.entries[k]
		select {
		case <-e.done:
			if !now.Before(e.expires) {
				delete(ks.entries, k)
				continue
			}
		default:
		}
		kept = append(kept, k)
	}
	ks.order = kept
}
