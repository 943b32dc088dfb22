package client

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoolBoundsConcurrency(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.SessionDir = t.TempDir()
	admin, err := Connect(ctxTimeout(t, 10*time.Second), h.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Logout(context.Background())
	baseline := h.sessions(t, admin)

	const limit, workers = 3, 24
	p := NewPool(cfg, limit, nil)
	var inUse, peak atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- p.Do(context.Background(), func(c *Client) error {
				n := inUse.Add(1)
				for {
					old := peak.Load()
					if n <= old || peak.CompareAndSwap(old, n) {
						break
					}
				}
				defer inUse.Add(-1)
				time.Sleep(5 * time.Millisecond)
				return ping(context.Background(), c)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if peak.Load() > limit {
		t.Fatalf("%d sessions in use at once, limit %d", peak.Load(), limit)
	}
	if p.Sessions() > limit || p.Sessions() < 1 {
		t.Fatalf("pool opened %d sessions, limit %d", p.Sessions(), limit)
	}
	if got := p.Stats().Logins; got != int64(p.Sessions()) {
		t.Errorf("logins %d for %d sessions", got, p.Sessions())
	}
	opened := p.Sessions()
	if got := h.sessions(t, admin); got != baseline+opened {
		t.Fatalf("host holds %d sessions, want %d", got, baseline+opened)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Only the cached (first) session survives Close.
	if got := h.sessions(t, admin); got != baseline+1 {
		t.Fatalf("after Close the host holds %d sessions, want %d (the cached one)", got, baseline+1)
	}
	if _, err := p.Get(context.Background()); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
}

func TestPoolUsesGivenClientAndWaitsForContext(t *testing.T) {
	h := startHost(t)
	first, err := Connect(ctxTimeout(t, 10*time.Second), h.config(t))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPool(h.config(t), 0, first) // limit 0 means 1
	c, err := p.Get(context.Background())
	if err != nil || c != first {
		t.Fatalf("Get returned %p, %v; want the given client", c, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Get(ctx); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Get on a full pool: %v, want a timeout", err)
	}
	p.Put(c)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPoolConnectError(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.Password = "wrong"
	p := NewPool(cfg, 2, nil)
	if err := p.Do(context.Background(), func(*Client) error { return nil }); !errors.Is(err, ErrInvalidLogin) {
		t.Fatalf("error %v", err)
	}
	// The failed attempt must not hold a slot.
	for range 3 {
		if err := p.Do(context.Background(), func(*Client) error { return nil }); !errors.Is(err, ErrInvalidLogin) {
			t.Fatalf("error %v", err)
		}
	}
}

func TestPoolRenewsExpiredSessions(t *testing.T) {
	h := startHost(t)
	p := NewPool(h.config(t), 2, nil)
	defer p.Close(context.Background())
	admin, err := Connect(ctxTimeout(t, 10*time.Second), h.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Logout(context.Background())
	var c *Client
	if err := p.Do(context.Background(), func(cl *Client) error { c = cl; return ping(context.Background(), cl) }); err != nil {
		t.Fatal(err)
	}
	terminate(t, admin, c)
	if err := p.Do(context.Background(), func(cl *Client) error { return ping(context.Background(), cl) }); err != nil {
		t.Fatalf("pooled session not renewed: %v", err)
	}
}
