package target_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ceso/ceso/pkg/backup/internal/simtest"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/target/targettest"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/esxishell"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
)

// freeHost is a free-licence simulator with its shell over SSH.
func freeHost(t *testing.T) (*esxisim.Simulator, *client.Client, *esxishell.Shell, sshhost.Runner) {
	t.Helper()
	sim, c := simtest.Start(t, esxisim.Options{FreeLicence: true})
	shell, err := esxishell.New(simtest.Context(t), sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shell.Close() })
	srv := sshtest.New(t, sshtest.Options{Password: "ssh-secret", Handler: shell})
	cfg := srv.ClientConfig(t)
	lazy := sshhost.NewLazy(func(ctx context.Context) (sshhost.RunCloser, error) { return ssh.Dial(ctx, cfg) })
	t.Cleanup(func() { _ = lazy.Close() })
	return sim, c, shell, lazy
}

// TestDatastoreConformanceOnTheFreeLicence: the free licence refuses
// MakeDirectory, MoveDatastoreFile and DeleteDatastoreFile over the API;
// a datastore target given the host's shell makes them over SSH (mkdir -p,
// mv -n, rm -rf) and moves its data over the HTTPS file access, and passes
// the same conformance suite.
func TestDatastoreConformanceOnTheFreeLicence(t *testing.T) {
	sim, c, shell, sh := freeHost(t)
	var n atomic.Int64
	targettest.Run(t, func(t *testing.T) target.Target {
		folder := fmt.Sprintf("ceso-backups-%d", n.Add(1))
		set := target.NewSet([]config.Target{{Name: "ds", Type: "datastore", Datastore: sim.Datastore(), Path: folder}}, "ds",
			func(context.Context) (*client.Client, error) { return c, nil }).WithShell(sh, false)
		d, err := set.Get(simtest.Context(t), "")
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
	seen := map[string]bool{}
	for _, cmd := range shell.Commands() {
		seen[strings.Fields(cmd)[0]] = true
	}
	for _, want := range []string{"mkdir", "mv", "rm"} {
		if !seen[want] {
			t.Errorf("no %s ran over SSH: %v", want, shell.Commands())
		}
	}
}

// TestDatastoreWithoutShellOnTheFreeLicence: with the API only, the
// refusal says it is the licence's, and nothing is left.
func TestDatastoreWithoutShellOnTheFreeLicence(t *testing.T) {
	sim, c, shell, _ := freeHost(t)
	ctx := simtest.Context(t)
	d, err := target.NewSet(nil, "", func(context.Context) (*client.Client, error) { return c, nil }).Get(ctx, target.DatastoreTarget(sim.Datastore()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Create(ctx, "a/f"); !errors.Is(err, client.ErrRestrictedVersion) {
		t.Fatalf("Create: %v, want the licence's refusal", err)
	}
	if list, err := d.List(ctx, ""); err != nil || len(list) != 0 {
		t.Fatalf("left: %v %v", list, err)
	}
	if len(shell.Commands()) != 0 {
		t.Fatalf("ran %v", shell.Commands())
	}
}

// TestDatastoreShellFirst: with esxi.transport ssh the changes go to the
// shell without asking the API first.
func TestDatastoreShellFirst(t *testing.T) {
	sim, c, shell, sh := freeHost(t)
	ctx := simtest.Context(t)
	sim.SetFreeLicence(false)
	d, err := target.NewSet(nil, "", func(context.Context) (*client.Client, error) { return c, nil }).WithShell(sh, true).Get(ctx, target.DatastoreTarget(sim.Datastore()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Create(ctx, "a/f")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, "data"); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveAll(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(shell.Commands(), "\n")
	if !strings.Contains(got, "mkdir -p /vmfs/volumes/"+sim.Datastore()+"/ceso-backups/a") || !strings.Contains(got, "rm -rf /vmfs/volumes/"+sim.Datastore()+"/ceso-backups/a") {
		t.Fatalf("shell commands:\n%s", got)
	}
}
