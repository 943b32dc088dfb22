package client

import (
	"context"
	"errors"
	"sync"
)

// Pool hands out at most limit sessions with one host at once, for parallel
// operations. The first session is the cached one (shared with the next
// invocation); the others are logged in when needed and logged out by Close.
// Each session renews itself when it expires.
type Pool struct {
	cfg   Config
	sem   chan struct{}
	mu    sync.Mutex
	idle  []*Client
	all   []*Client
	close bool
	// cacheTaken is set once a session that uses the on-disk cache exists or
	// is being opened; the others are logged out on Close.
	cacheTaken bool
}

// NewPool makes a pool of at most limit sessions (at least 1). first, if not
// nil, is an already connected client that becomes the pool's first session.
func NewPool(cfg Config, limit int, first *Client) *Pool {
	if limit < 1 {
		limit = 1
	}
	p := &Pool{cfg: cfg, sem: make(chan struct{}, limit)}
	if first != nil {
		p.cacheTaken = true
		p.idle = append(p.idle, first)
		p.all = append(p.all, first)
	}
	return p
}

// ErrPoolClosed is returned by Get after Close.
var ErrPoolClosed = errors.New("session pool is closed")

// Get waits for a free session (or ctx) and returns it; give it back with Put.
func (p *Pool) Get(ctx context.Context) (*Client, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, Classify(ctx.Err())
	}
	p.mu.Lock()
	if p.close {
		p.mu.Unlock()
		<-p.sem
		return nil, ErrPoolClosed
	}
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.observe()
		p.mu.Unlock()
		return c, nil
	}
	cfg := p.cfg
	takesCache := !p.cacheTaken
	if takesCache {
		p.cacheTaken = true
	} else {
		cfg.SessionDir = "" // only one session is cached
	}
	p.mu.Unlock()

	c, err := Connect(ctx, cfg)
	if err != nil {
		if takesCache {
			p.mu.Lock()
			p.cacheTaken = false
			p.mu.Unlock()
		}
		<-p.sem
		return nil, err
	}
	p.mu.Lock()
	p.all = append(p.all, c)
	p.observe()
	p.mu.Unlock()
	return c, nil
}

// Put returns a session to the pool.
func (p *Pool) Put(c *Client) {
	p.mu.Lock()
	p.idle = append(p.idle, c)
	p.observe()
	p.mu.Unlock()
	<-p.sem
}

// observe tells the observer how many sessions are lent and idle; p.mu is
// held.
func (p *Pool) observe() {
	if o := p.cfg.Observer; o != nil {
		o.Pool(len(p.all)-len(p.idle), len(p.idle))
	}
}

// Do runs fn with a session from the pool.
func (p *Pool) Do(ctx context.Context, fn func(*Client) error) error {
	c, err := p.Get(ctx)
	if err != nil {
		return err
	}
	defer p.Put(c)
	return fn(c)
}

// Sessions is the number of sessions the pool has opened or was given.
func (p *Pool) Sessions() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.all)
}

// Stats adds up the statistics of every session of the pool.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s Stats
	for _, c := range p.all {
		cs := c.Stats()
		s.RoundTrips += cs.RoundTrips
		s.Logins += cs.Logins
	}
	return s
}

// Close logs out every session that is not cached and stops keepalives. It
// must be called when no session is in use.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	p.close = true
	all := p.all
	p.all, p.idle = nil, nil
	p.mu.Unlock()
	var errs []error
	for _, c := range all {
		errs = append(errs, c.Close(ctx))
	}
	return errors.Join(errs...)
}
