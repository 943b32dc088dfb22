package simtest

import (
	"context"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// DiskSize is the template disk size tests use unless they say otherwise:
// a header and a few regions of each kind, small enough to be quick.
const DiskSize = 6<<20 + 4096

// Start starts a simulator closed when the test ends and connects a client
// (logged out when the test ends). A zero TemplateDiskSize becomes DiskSize.
func Start(tb testing.TB, opts esxisim.Options) (*esxisim.Simulator, *client.Client) {
	tb.Helper()
	if opts.TemplateDiskSize == 0 {
		opts.TemplateDiskSize = DiskSize
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sim, err := esxisim.Start(ctx, opts)
	if err != nil {
		tb.Fatalf("starting simulator: %v", err)
	}
	tb.Cleanup(func() { _ = sim.Close() })
	return sim, Connect(tb, sim)
}

// Connect opens another session with the simulator.
func Connect(tb testing.TB, sim *esxisim.Simulator) *client.Client {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Connect(ctx, client.Config{
		Host: sim.Host(), User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint(),
	})
	if err != nil {
		tb.Fatalf("connecting to simulator: %v", err)
	}
	tb.Cleanup(func() { _ = c.Logout(context.Background()) })
	return c
}

// Context is a context cancelled when the test ends, with a deadline.
func Context(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}
