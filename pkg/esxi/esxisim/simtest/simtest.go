package simtest

import (
	"context"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// Start starts a simulated host with opts and stops it when the test ends.
func Start(t testing.TB, opts esxisim.Options) *esxisim.Simulator {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sim, err := esxisim.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// Connect logs in to sim at addr (its own address, or a proxy's when not
// empty) and logs out when the test ends.
func Connect(t testing.TB, sim *esxisim.Simulator, addr string) *client.Client {
	t.Helper()
	if addr == "" {
		addr = sim.Host()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Connect(ctx, client.Config{Host: addr, User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return c
}

// Env is the environment that points ceso at sim, with HOME in home.
func Env(sim *esxisim.Simulator, home string) map[string]string {
	return map[string]string{
		"HOME": home, "ESXI_HOST": sim.Host(), "ESXI_USER": sim.User(),
		"ESXI_PASSWORD": sim.Password(), "ESXI_THUMBPRINT": sim.Thumbprint(),
	}
}

// Ctx is a context bounded by d and cancelled when the test ends.
func Ctx(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
