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
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// startSim starts a simulated host with a small template disk.
func startSim(t *testing.T, opts esxisim.Options) *esxisim.Simulator {
	t.Helper()
	if opts.TemplateDiskSize == 0 {
		opts.TemplateDiskSize = 4 << 20
	}
	return simtest.Start(t, opts)
}

// connect logs in to the simulator at addr (its own address or a proxy's).
func connect(t *testing.T, sim *esxisim.Simulator, addr string) *client.Client {
	t.Helper()
	return simtest.Connect(t, sim, addr)
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	return simtest.Ctx(t, d)
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
