package mcp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func res(text string) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}
}

func textOf(r *sdk.CallToolResult) string { return r.Content[0].(*sdk.TextContent).Text }

func TestIdemStore(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newIdemStore(time.Hour, 2, clk.Now)
	ctx := context.Background()
	runs := 0
	act := func(text string, acted bool) func() (*sdk.CallToolResult, bool) {
		return func() (*sdk.CallToolResult, bool) { runs++; return res(text), acted }
	}
	tests := []struct {
		name, identity, key, tool, args string
		fn                              func() (*sdk.CallToolResult, bool)
		before                          func()
		wantText                        string
		wantReplay                      bool
		wantErr                         error
		wantRuns                        int
	}{
		{name: "first call acts", identity: "a", key: "k1", tool: "vm_create", args: "x", fn: act("one", true), wantText: "one", wantRuns: 1},
		{name: "repeat replays", identity: "a", key: "k1", tool: "vm_create", args: "x", fn: act("two", true), wantText: "one", wantReplay: true, wantRuns: 1},
		{name: "other args conflict", identity: "a", key: "k1", tool: "vm_create", args: "y", fn: act("three", true), wantErr: ErrIdempotencyConflict, wantRuns: 1},
		{name: "other tool conflicts", identity: "a", key: "k1", tool: "vm_clone", args: "x", fn: act("three", true), wantErr: ErrIdempotencyConflict, wantRuns: 1},
		{name: "other identity is its own", identity: "b", key: "k1", tool: "vm_create", args: "x", fn: act("b1", true), wantText: "b1", wantRuns: 2},
		{name: "a call that did not act is not kept", identity: "a", key: "k2", tool: "vm_create", args: "x", fn: act("refused", false), wantText: "refused", wantRuns: 3},
		{name: "so its retry acts", identity: "a", key: "k2", tool: "vm_create", args: "x", fn: act("ran", true), wantText: "ran", wantRuns: 4},
		{name: "expired keys act again", identity: "a", key: "k1", tool: "vm_create", args: "x", fn: act("later", true), before: func() { clk.Add(2 * time.Hour) }, wantText: "later", wantRuns: 5},
		{name: "a second key fills the bound", identity: "a", key: "k3", tool: "vm_create", args: "x", fn: act("k3", true), wantText: "k3", wantRuns: 6},
		{name: "both are kept", identity: "a", key: "k1", tool: "vm_create", args: "x", fn: act("no", true), wantText: "later", wantReplay: true, wantRuns: 6},
		{name: "a third pushes out the oldest", identity: "a", key: "k4", tool: "vm_create", args: "x", fn: act("k4", true), wantText: "k4", wantRuns: 7},
		{name: "the pushed-out key acts again", identity: "a", key: "k1", tool: "vm_create", args: "x", fn: act("k1 again", true), wantText: "k1 again", wantRuns: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			got, replayed, err := s.do(ctx, tt.identity, tt.key, tt.tool, tt.args, tt.fn)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err == nil && (textOf(got) != tt.wantText || replayed != tt.wantReplay) {
				t.Errorf("got %q replayed %v, want %q %v", textOf(got), replayed, tt.wantText, tt.wantReplay)
			}
			if runs != tt.wantRuns {
				t.Errorf("%d runs, want %d", runs, tt.wantRuns)
			}
		})
	}
}

// TestIdemStoreWaiter: a repeat made while the first call runs waits for
// it, or for its own context.
func TestIdemStoreWaiter(t *testing.T) {
	s := newIdemStore(0, 0, time.Now)
	if s.ttl != DefaultIdempotencyTTL || s.max != DefaultIdempotencyKeys {
		t.Fatalf("defaults %v %d", s.ttl, s.max)
	}
	release, entered := make(chan struct{}), make(chan struct{})
	go func() {
		_, _, _ = s.do(context.Background(), "a", "k", "t", "x", func() (*sdk.CallToolResult, bool) {
			close(entered)
			<-release
			return res("first"), true
		})
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.do(ctx, "a", "k", "t", "x", func() (*sdk.CallToolResult, bool) { t.Error("ran twice"); return nil, true }); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled waiter: %v", err)
	}
	done := make(chan string)
	go func() {
		r, replayed, err := s.do(context.Background(), "a", "k", "t", "x", func() (*sdk.CallToolResult, bool) { t.Error("ran twice"); return nil, true })
		if err != nil || !replayed {
			t.Errorf("waiter: %v %v", err, replayed)
		}
		done <- textOf(r)
	}()
	close(release)
	if got := <-done; got != "first" {
		t.Errorf("the waiter got %q", got)
	}
}
