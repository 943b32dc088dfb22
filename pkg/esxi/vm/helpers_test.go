package vm

import (
	"context"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// startSim starts a simulated host and connects a client to it.
func startSim(t testing.TB, opts esxisim.Options) (*esxisim.Simulator, *client.Client) {
	t.Helper()
	sim := simtest.Start(t, opts)
	return sim, simtest.Connect(t, sim, "")
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
