package vm

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/ceso/ceso/pkg/errkind"
	"golang.org/x/sync/semaphore"
)

// vmLocks serialises, within the process, the operations on one VM of one
// host: two writes on the same VM (or a create and a clone to the same new
// name) never overlap, while copies that only read a template share it.
var vmLocks = lockTable{held: map[string]*lockEntry{}}

// exclusiveWeight is the semaphore weight of an exclusive hold; a shared
// hold weighs 1.
const exclusiveWeight = 1 << 30

type lockTable struct {
	mu   sync.Mutex
	held map[string]*lockEntry
}

type lockEntry struct {
	sem  *semaphore.Weighted
	refs int
}

// lockVMs takes the locks of the VMs named in shared (shared) and exclusive
// (exclusive) on host, in name order so that two callers cannot deadlock. A
// name in both is held exclusively. It waits until ctx ends for a lock held
// by another operation. Call the returned func to release them all.
func lockVMs(ctx context.Context, host string, shared []string, exclusive ...string) (unlock func(), err error) {
	weight := map[string]int64{}
	for _, n := range shared {
		weight[n] = 1
	}
	for _, n := range exclusive {
		weight[n] = exclusiveWeight
	}
	names := make([]string, 0, len(weight))
	for n := range weight {
		names = append(names, n)
	}
	sort.Strings(names)
	var taken []string
	release := func() {
		for _, n := range taken {
			vmLocks.release(host+"\x00"+n, weight[n])
		}
	}
	for _, n := range names {
		if err := vmLocks.acquire(ctx, host+"\x00"+n, weight[n]); err != nil {
			release()
			kind := errkind.Timeout
			if errors.Is(err, context.Canceled) {
				kind = errkind.Canceled
			}
			return nil, fmt.Errorf("waiting for another operation on VM %q to finish: %w", n, errkind.Wrap(kind, err))
		}
		taken = append(taken, n)
	}
	var once sync.Once
	return func() { once.Do(release) }, nil
}

func (t *lockTable) acquire(ctx context.Context, key string, weight int64) error {
	t.mu.Lock()
	e := t.held[key]
	if e == nil {
		e = &lockEntry{sem: semaphore.NewWeighted(exclusiveWeight)}
		t.held[key] = e
	}
	e.refs++
	t.mu.Unlock()
	// A free lock is taken even when ctx has ended (Acquire checks ctx
	// first): then the deadline is the command's, not a wait for another.
	if e.sem.TryAcquire(weight) {
		return nil
	}
	if err := e.sem.Acquire(ctx, weight); err != nil {
		t.drop(key, e)
		return err
	}
	return nil
}

func (t *lockTable) release(key string, weight int64) {
	t.mu.Lock()
	e := t.held[key]
	t.mu.Unlock()
	e.sem.Release(weight)
	t.drop(key, e)
}

// drop forgets the entry when nobody holds or waits for it.
func (t *lockTable) drop(key string, e *lockEntry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e.refs--
	if e.refs == 0 {
		delete(t.held, key)
	}
}

// size is the number of entries, for tests.
func (t *lockTable) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.held)
}
