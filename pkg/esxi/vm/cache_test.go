package vm

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/rs/zerolog"
	"github.com/vmware/govmomi/session"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startCache runs a cache on sim and returns it with the clients it made,
// latest last.
func startCache(t *testing.T, sim *esxisim.Simulator) (*Cache, func() *client.Client, *lockedBuffer) {
	t.Helper()
	var (
		mu   sync.Mutex
		last *client.Client
	)
	logs := &lockedBuffer{}
	c := NewCache(func(ctx context.Context) (*client.Client, error) {
		cl, err := client.Connect(ctx, client.Config{Host: sim.Host(), User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint()})
		mu.Lock()
		last = cl
		mu.Unlock()
		return cl, err
	}, zerolog.New(logs))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	if err := c.WaitCurrent(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	return c, func() *client.Client { mu.Lock(); defer mu.Unlock(); return last }, logs
}

// waitFor polls the cache until cond holds of its list.
func waitFor(t *testing.T, c *Cache, what string, cond func([]Summary) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if list, ok := c.List(Filter{}); ok && cond(list) {
			return
		}
		if time.Now().After(deadline) {
			list, ok := c.List(Filter{})
			t.Fatalf("%s: cache (current %v) holds %v", what, ok, names(list))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func names(list []Summary) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name+":"+s.PowerState)
	}
	return out
}

func has(name, state string) func([]Summary) bool {
	return func(list []Summary) bool {
		for _, s := range list {
			if s.Name == name && (state == "" || s.PowerState == state) {
				return true
			}
		}
		return false
	}
}

// TestCacheMatchesTheHost: the cache's list and details are what the host
// answers, filters included, and cost no round trip.
func TestCacheMatchesTheHost(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{ExtraVMs: 4})
	cache, _, _ := startCache(t, sim)
	ctx := testCtx(t)
	for _, f := range []Filter{{}, {Name: "*0*"}, {PowerState: PoweredOff}} {
		want, err := List(ctx, c, f)
		if err != nil {
			t.Fatal(err)
		}
		before := sim.Requests()
		got, ok := cache.List(f)
		if !ok || !jsonSame(got, want) {
			t.Fatalf("filter %+v: cache %v, host %v", f, names(got), names(want))
		}
		if sim.Requests() != before {
			t.Fatal("a cached list called the host")
		}
	}
	want, err := GetInfo(ctx, c, esxisim.TemplateName)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := cache.Info(esxisim.TemplateName)
	if !ok || !jsonSame(got, want) || len(got.ExtraConfig) != len(want.ExtraConfig) {
		t.Fatalf("info: cache %+v\nhost %+v", got, want)
	}
	if _, ok := cache.Info("ghost"); ok {
		t.Fatal("a VM the cache does not hold must be asked of the host")
	}
}

// TestCacheFollowsChangesBehindItsBack: a VM created, powered on and
// deleted through another session shows in the cache as the collector
// reports it; Invalidate makes the cache refuse until it caught up.
func TestCacheFollowsChangesBehindItsBack(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{})
	cache, _, _ := startCache(t, sim)
	ctx := testCtx(t)
	start := time.Now()
	if _, err := Create(ctx, c, CreateSpec{Name: "behind01", Template: esxisim.TemplateName}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, cache, "created", has("behind01", PoweredOff))
	t.Logf("a VM created behind the cache's back showed %s after the create began", time.Since(start))
	if _, err := Power(ctx, c, "behind01", PowerOn, PowerOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, cache, "powered on", has("behind01", PoweredOn))
	cache.Invalidate()
	if _, ok := cache.List(Filter{}); ok {
		t.Fatal("the cache answered right after Invalidate")
	}
	if _, ok := cache.Info("behind01"); ok {
		t.Fatal("the cache answered Info right after Invalidate")
	}
	if err := Delete(ctx, c, "behind01", true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, cache, "deleted", func(l []Summary) bool { return !has("behind01", "")(l) })
}

// TestCacheRebuildsAfterSessionLoss: when the host ends the cache's
// session, the cache reconnects, rebuilds, and follows changes again.
func TestCacheRebuildsAfterSessionLoss(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{})
	cache, last, logs := startCache(t, sim)
	ctx := testCtx(t)
	mine := last()
	us, err := session.NewManager(mine.Vim()).UserSession(ctx)
	if err != nil || us == nil {
		t.Fatalf("the cache's session: %v", err)
	}
	admin := session.NewManager(c.Vim())
	if err := admin.TerminateSession(ctx, []string{us.Key}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(logs.String(), "inventory cache lost its host") {
		if time.Now().After(deadline) {
			t.Fatalf("the cache did not notice: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := Create(ctx, c, CreateSpec{Name: "after01", Template: esxisim.TemplateName}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, cache, "created after the loss", has("after01", ""))
	if last() == mine {
		t.Fatal("the cache did not open a new session")
	}
	if strings.Count(logs.String(), "inventory cache synced") < 2 {
		t.Fatalf("no rebuild logged: %s", logs.String())
	}
}

func jsonSame(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
