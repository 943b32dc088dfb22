package app

import (
	"errors"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// TestSessionsOnTheSimulator: the pool is made once, sessions are borrowed
// and given back, and a backup that needs the host gets one.
func TestSessionsOnTheSimulator(t *testing.T) {
	sim := simtest.Start(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	env := config.MapEnv(simtest.Env(sim, t.TempDir()))
	cfg, err := config.Load("", env)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Config: cfg, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	ctx := simtest.Ctx(t, time.Minute)
	p1, err := a.Pool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := a.Pool(ctx); p2 != p1 {
		t.Fatal("a second pool")
	}
	name, err := WithSession(ctx, a, func(c *client.Client) (string, error) { return c.Host(), nil })
	if err != nil || name != sim.Host() {
		t.Fatalf("session %q %v", name, err)
	}
	// Borrowing one after another reuses the one session: each went back.
	for range 3 {
		if _, err := WithSession(ctx, a, func(*client.Client) (int, error) { return 0, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n := p1.Sessions(); n != 1 {
		t.Fatalf("%d sessions: one was not given back", n)
	}
	boom := errors.New("boom")
	if _, err := WithSession(ctx, a, func(*client.Client) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	got, err := WithBackup(ctx, a, true, false, func(d backup.Deps) (bool, error) { return d.Client != nil, nil })
	if err != nil || !got {
		t.Fatalf("backup deps without a session: %v", err)
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	cfg.ESXi.Password = ""
	b, _ := New(Options{Config: cfg, Env: config.MapEnv(map[string]string{})})
	if _, err := b.Pool(ctx); !errors.Is(err, config.ErrSecret) {
		t.Fatalf("no password: %v", err)
	}
}
