package simtest

import (
	"context"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
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
	sim := simtest.Start(tb, opts)
	return sim, Connect(tb, sim)
}

// Connect opens another session with the simulator.
func Connect(tb testing.TB, sim *esxisim.Simulator) *client.Client {
	tb.Helper()
	return simtest.Connect(tb, sim, "")
}

// Context is a context cancelled when the test ends, with a deadline.
func Context(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}
