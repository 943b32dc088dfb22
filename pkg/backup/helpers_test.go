package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/internal/simtest"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/target/targettest"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// src is the VM the tests back up: the simulator's template.
const src = esxisim.TemplateName

// env is a simulated host, a catalog and a local target.
type env struct {
	sim     *esxisim.Simulator
	c       *client.Client
	h       *esxihost.Host
	catalog *storage.Catalog
	local   *target.Local
	faulty  *targettest.Faulty
	d       Deps
}

func newEnv(t *testing.T, opts esxisim.Options) *env {
	t.Helper()
	sim, c := simtest.Start(t, opts)
	l, err := target.NewLocal("local", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{sim: sim, c: c, h: esxihost.New(c), catalog: storagetest.Open(t), local: l, faulty: targettest.NewFaulty(l)}
	e.d = Deps{
		Client: c, Catalog: e.catalog, Targets: target.Single(e.faulty), LockDir: t.TempDir(),
		Compression: config.Compression{Algorithm: "zstd", Level: 3, Workers: 2},
		Version:     "test",
	}
	return e
}

// withDatastore makes the environment's default target a datastore target.
func (e *env) withDatastore(t *testing.T) {
	t.Helper()
	ds, err := target.NewDatastore(simtest.Context(t), "ds", e.c, e.sim.Datastore(), "")
	if err != nil {
		t.Fatal(err)
	}
	e.faulty = targettest.NewFaulty(ds)
	e.d.Targets = target.Single(e.faulty)
}

// flat returns the bytes of a VM's first disk as the host holds them.
func (e *env) flat(t *testing.T, name string) []byte {
	t.Helper()
	info, err := vm.GetInfo(simtest.Context(t), e.c, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Disks) == 0 {
		t.Fatalf("%s has no disk", name)
	}
	p := info.Disks[0].Path // "[datastore1] dir/name.vmdk"
	rel := strings.TrimSpace(p[strings.IndexByte(p, ']')+1:])
	rel = strings.TrimSuffix(rel, ".vmdk") + "-flat.vmdk"
	data, err := os.ReadFile(filepath.Join(e.sim.DatastoreDir(), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withGuestinfo gives the template cloud-init guestinfo with a static
// address on its adapter, and another guestinfo key.
func (e *env) withGuestinfo(t *testing.T, name string) map[string]string {
	t.Helper()
	ctx := simtest.Context(t)
	info, err := vm.GetInfo(ctx, e.c, name)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := cloudinit.Build(cloudinit.Spec{
		Hostname: "golden", InstanceID: "ceso-original",
		SSHKeys:     []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGyp3qyEb8WCpVSNqFKEX0ZCuZ7ChJwe1kVD3tTkW7Zg ops@example"},
		NICs:        []cloudinit.NIC{{Addresses: []string{"192.168.10.20/24"}, Gateway4: "192.168.10.1", DNS: []string{"192.168.10.1"}}},
		AdapterMACs: []string{info.NICs[0].MAC},
	})
	if err != nil {
		t.Fatal(err)
	}
	keys["guestinfo.owner"] = "team-a"
	spec := types.VirtualMachineConfigSpec{}
	for k, v := range keys {
		spec.ExtraConfig = append(spec.ExtraConfig, &types.OptionValue{Key: k, Value: v})
	}
	v, err := e.h.Find(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.h.Reconfigure(ctx, v, spec); err != nil {
		t.Fatal(err)
	}
	return keys
}

// power sets a VM's power state; tools says whether VMware Tools run.
func (e *env) power(t *testing.T, name, state string, tools bool) {
	t.Helper()
	ctx := simtest.Context(t)
	v, err := e.h.Find(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	switch state {
	case vm.PoweredOn:
		err = e.h.PowerOn(ctx, v)
	default:
		err = e.h.PowerOff(ctx, v)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetGuest(name, esxisim.Guest{ToolsRunning: tools && state == vm.PoweredOn}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) powerState(t *testing.T, name string) string {
	t.Helper()
	ctx := simtest.Context(t)
	v, err := e.h.Find(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.h.State(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	return st.Power
}

func (e *env) exists(t *testing.T, name string) bool {
	t.Helper()
	_, err := e.h.Find(simtest.Context(t), name)
	if err != nil && !errors.Is(err, vm.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// backup takes a backup of the template and fails the test on error.
func (e *env) backup(t *testing.T, req CreateRequest) storage.Entry {
	t.Helper()
	if req.VM == "" {
		req.VM = src
	}
	entry, err := Create(simtest.Context(t), e.d, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return entry
}

// tree lists every file under the local target's root, relative, sorted.
func (e *env) tree(t *testing.T) []string {
	t.Helper()
	var out []string
	root := e.local.Root()
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clock is a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func ctxT(t *testing.T) context.Context { return simtest.Context(t) }

// syncBuffer is a buffer safe for concurrent writers, for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
