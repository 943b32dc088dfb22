//go:build chaos

package chaos

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// startSim starts a simulated host with a small template disk.
func startSim(t *testing.T, opts esxisim.Options) *esxisim.Simulator {
	t.Helper()
	if opts.TemplateDiskSize == 0 {
		opts.TemplateDiskSize = 4 << 20
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := esxisim.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// connect logs in to the simulator at addr (its own address or a proxy's).
func connect(t *testing.T, sim *esxisim.Simulator, addr string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Connect(ctx, client.Config{Host: addr, User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return c
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// assertDatastore fails unless the datastore holds exactly the template's
// folder and want.
func assertDatastore(t *testing.T, sim *esxisim.Simulator, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(sim.DatastoreDir())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want = append([]string{esxisim.TemplateName}, want...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("datastore holds %q, want %q", got, want)
	}
}
