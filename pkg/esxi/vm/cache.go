package vm

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"context"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/rs/zerolog"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Cache is the host's VMs kept in memory by a property collector: one
// filter over a container view of every VM, followed with
// WaitForUpdatesEx, so that a list or a VM's details cost no round trip
// to the host and follow its changes as they happen. Run keeps it; after a
// session loss it reconnects and rebuilds it from scratch.
//
// It answers only when it is known to be current: before the first
// retrieval, while it rebuilds, and after Invalidate until the collector
// has caught up, List and Info say so, and the caller asks the host. It is
// safe for concurrent use.
type Cache struct {
	connect func(context.Context) (*client.Client, error)
	log     zerolog.Logger
	maxWait int32 // seconds a WaitForUpdatesEx call waits for a change

	// wanted counts Invalidate calls; applied is the value of wanted when
	// the last completed collector call began: the cache is current when
	// they are equal.
	wanted  atomic.Int64
	applied atomic.Int64

	mu     sync.RWMutex
	synced bool
	vms    map[types.ManagedObjectReference]*cachedVM
	sorted []Summary // every VM by name; nil when it must be rebuilt
	rounds int64     // completed collector calls, for tests
}

type cachedVM struct {
	props   map[string]any
	obj     mo.VirtualMachine
	summary Summary
}

// NewCache makes a cache that opens its own session with connect (and
// logs it out when Run ends).
func NewCache(connect func(context.Context) (*client.Client, error), log zerolog.Logger) *Cache {
	return &Cache{connect: connect, log: log, maxWait: 1}
}

// Invalidate says the host was just changed through another session: the
// cache answers again once the collector has reported every change made
// before this call (at most about a second).
func (c *Cache) Invalidate() { c.wanted.Add(1) }

func (c *Cache) current() bool {
	c.mu.RLock()
	synced := c.synced
	c.mu.RUnlock()
	return synced && c.applied.Load() >= c.wanted.Load()
}

// List returns the VMs that match f, sorted by name, and true; or false
// when the cache is not known to be current. f must be valid.
func (c *Cache) List(f Filter) ([]Summary, bool) {
	if !c.current() {
		return nil, false
	}
	c.mu.Lock()
	if c.sorted == nil {
		c.sorted = make([]Summary, 0, len(c.vms))
		for _, v := range c.vms {
			c.sorted = append(c.sorted, v.summary)
		}
		sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].Name < c.sorted[j].Name })
	}
	all := c.sorted
	c.mu.Unlock()
	out := make([]Summary, 0, len(all))
	for _, s := range all {
		if f.match(s) {
			out = append(out, s)
		}
	}
	return out, true
}

// Info returns the details of the one VM named name, and true; or false
// when the cache is not current or does not hold exactly one VM of that
// name (the host then says what is wrong).
func (c *Cache) Info(name string) (*Info, bool) {
	if !c.current() {
		return nil, false
	}
	c.mu.RLock()
	var found *cachedVM
	n := 0
	for _, v := range c.vms {
		if v.obj.Name == name {
			found, n = v, n+1
		}
	}
	c.mu.RUnlock()
	if n != 1 {
		return nil, false
	}
	return describe(&found.obj), true
}

// Synced reports whether the cache holds the host's inventory (it may
// still be waiting for changes after an Invalidate).
func (c *Cache) Synced() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.synced
}

// WaitCurrent waits until the cache is current or ctx ends, for tests
// and for a server that wants to answer from it at once.
func (c *Cache) WaitCurrent(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !c.current() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
