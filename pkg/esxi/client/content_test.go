package client

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// TestLoginReadsTheServiceContentAnew: the host is upgraded while a client
// holds a session; the next login (a renewal after the session ended)
// reports the new version, and goroutines reading the version meanwhile
// never see a torn value (run with -race).
func TestLoginReadsTheServiceContentAnew(t *testing.T) {
	sim, err := esxisim.Start(context.Background(), esxisim.Options{TemplateDiskSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	cfg := Config{Host: sim.Host(), User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint(), SessionDir: t.TempDir()}
	c, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	admin, err := Connect(ctxTimeout(t, 10*time.Second), Config{Host: sim.Host(), User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Logout(context.Background())
	old := c.About()
	if old.Version == "" || old.Version == "8.0.3" {
		t.Fatalf("version before the upgrade: %+v", old)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if a := c.About(); a.Version != old.Version && a.Build != "24022510" {
					t.Errorf("torn version %q build %q", a.Version, a.Build)
					return
				}
				_ = c.Vim().ServiceContent.SessionManager
				_ = c.IsVCenter()
			}
		}()
	}

	if err := sim.SetVersion("8.0.3", "24022510"); err != nil {
		t.Fatal(err)
	}
	if err := ping(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if c.About().Version != old.Version {
		t.Error("the version changed without a login")
	}
	terminate(t, admin, c)
	if err := ping(context.Background(), c); err != nil {
		t.Fatalf("renewal: %v", err)
	}
	close(stop)
	wg.Wait()
	if a := c.About(); a.Version != "8.0.3" || a.Build != "24022510" || a.FullName != "VMware ESXi 8.0.3 build-24022510" {
		t.Fatalf("after the renewal: %+v", a)
	}
	// The renewed session was cached with its content: a new client reuses
	// it, without a login, and reports the new version.
	c2, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Stats().Logins != 0 || c2.About().Version != "8.0.3" {
		t.Fatalf("cached session: %d logins, version %q", c2.Stats().Logins, c2.About().Version)
	}
}
