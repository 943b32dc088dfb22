package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// host is what a lifecycle test runs against: the simulator or a real host.
type host struct {
	c         *client.Client
	template  string
	datastore string
	network   string
	// sim is the simulator, nil on a real host; with it the test reads
	// the datastore's files directly.
	sim *esxisim.Simulator
}

// compareBytes is how much of two flat disks is compared over the host's
// file access; on the simulator the whole files are compared too.
const compareBytes = 1 << 20

// folder opens a folder of the datastore over the host's HTTPS file access.
func (h *host) folder(ctx context.Context, t *testing.T, dir string) *target.Datastore {
	t.Helper()
	d, err := target.NewDatastore(ctx, "check", h.c, h.datastore, dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// headOfFile reads the first compareBytes of a file of the datastore.
func (h *host) headOfFile(ctx context.Context, t *testing.T, dir, file string) []byte {
	t.Helper()
	r, err := h.folder(ctx, t, dir).Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, compareBytes))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertNoFolder fails when the VM's folder still exists on the datastore.
func (h *host) assertNoFolder(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	files, exists, err := vm.ListFolder(ctx, h.c, "["+h.datastore+"] "+name)
	if err != nil || exists {
		t.Fatalf("folder of %s still on the datastore (%v): %v", name, files, err)
	}
}

func sameHead(a, b []byte) bool { return len(a) > 0 && bytes.Equal(a, b) }

func stringify(v any) string { return fmt.Sprint(v) }
