package app

import (
	"context"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// WatchInventory keeps the host's VM inventory in memory (vm.Cache) on a
// session of its own until stop is called or ctx ends; vm.list and vm.info
// read it while it is current. The session is logged out when it stops.
// A daemon calls it once; a one-shot command has no use for it.
func (a *App) WatchInventory(ctx context.Context) (stop func()) {
	cache := vm.NewCache(func(ctx context.Context) (*client.Client, error) {
		cc, err := a.ClientConfig(ctx)
		if err != nil {
			return nil, err
		}
		cc.SessionDir = "" // not the cached session: this one is the cache's alone
		return client.Connect(ctx, cc)
	}, a.opts.Logger)
	a.mu.Lock()
	a.inventory = cache
	a.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); cache.Run(ctx) }()
	return func() {
		cancel()
		<-done
		a.mu.Lock()
		if a.inventory == cache {
			a.inventory = nil
		}
		a.mu.Unlock()
	}
}

// Inventory is the VM inventory kept by WatchInventory, nil when none is.
func (a *App) Inventory() *vm.Cache {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inventory
}
