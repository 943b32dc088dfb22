package target_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ceso/ceso/pkg/backup/internal/simtest"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/target/targettest"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestDatastoreConformance(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	var n atomic.Int64
	targettest.Run(t, func(t *testing.T) target.Target {
		// Each test gets its own folder of the one datastore.
		folder := fmt.Sprintf("ceso-backups-%d", n.Add(1))
		d, err := target.NewDatastore(simtest.Context(t), "ds", c, sim.Datastore(), folder)
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestDatastoreFilesAreOnTheDatastore(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	d, err := target.NewDatastore(simtest.Context(t), "ds", c, sim.Datastore(), "")
	if err != nil {
		t.Fatal(err)
	}
	data := targettest.Data(7, 200_000)
	targettest.Put(t, d, "web/b1/web.ovf", data)
	got, err := os.ReadFile(filepath.Join(sim.DatastoreDir(), target.DefaultFolder, "web", "b1", "web.ovf"))
	if err != nil || string(got) != string(data) {
		t.Fatalf("datastore file: %d bytes, %v", len(got), err)
	}
	if loc := d.Location("web/b1"); loc != "[datastore1] ceso-backups/web/b1" {
		t.Errorf("Location = %q", loc)
	}
	if d.Name() != "ds" {
		t.Errorf("Name = %q", d.Name())
	}
}

func TestDatastoreOpenErrors(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	ctx := simtest.Context(t)
	tests := []struct {
		name       string
		c          *client.Client
		ds, folder string
		want       error
	}{
		{"no host", nil, sim.Datastore(), "", target.ErrNeedsHost},
		{"unknown datastore", c, "nope", "", target.ErrUnavailable},
		{"bracketed datastore", c, "[nope]", "", target.ErrUnavailable},
		{"empty datastore", c, "", "", target.ErrUnavailable},
		{"bad folder", c, sim.Datastore(), "a/../b", target.ErrInvalidPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := target.NewDatastore(ctx, "ds", tt.c, tt.ds, tt.folder)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDatastoreUploadRefusedByHost(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	ctx := simtest.Context(t)
	d, err := target.NewDatastore(ctx, "ds", c, sim.Datastore(), "")
	if err != nil {
		t.Fatal(err)
	}
	// A file where the folder should be makes the host refuse the upload.
	if err := os.WriteFile(filepath.Join(sim.DatastoreDir(), target.DefaultFolder), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := d.Create(ctx, "f")
	if err == nil {
		_, _ = f.Write([]byte("data"))
		err = f.Commit()
	}
	if err == nil {
		t.Fatal("upload into a file succeeded")
	}
}

// TestDatastoreCancelledUpload cancels the context of a file being
// written: the next Write says so, Commit fails, and nothing is left on
// the datastore, not even the temporary name.
func TestDatastoreCancelledUpload(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	d, err := target.NewDatastore(simtest.Context(t), "ds", c, sim.Datastore(), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(simtest.Context(t))
	f, err := d.Create(ctx, "a/f")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(targettest.Data(1, 100_000)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := f.Write([]byte("more")); !errors.Is(err, context.Canceled) {
		t.Errorf("Write after cancel: %v, want context.Canceled", err)
	}
	if err := f.Commit(); err == nil {
		t.Error("Commit after cancel worked")
	}
	list, err := d.List(simtest.Context(t), "a")
	if err != nil || len(list) != 0 {
		t.Errorf("List(a) = %v, %v; want nothing", list, err)
	}
}

func TestSet(t *testing.T) {
	sim, c := simtest.Start(t, esxisim.Options{})
	dir := t.TempDir()
	connects := 0
	set := target.NewSet([]config.Target{
		{Name: "nas", Type: "local", Path: dir},
		{Name: "ds", Type: "datastore", Datastore: sim.Datastore()},
		{Name: "odd", Type: "tape"},
	}, "nas", func(context.Context) (*client.Client, error) { connects++; return c, nil })
	ctx := simtest.Context(t)
	nas, err := set.Get(ctx, "")
	if err != nil || nas.Name() != "nas" || connects != 0 {
		t.Fatalf("default: %v, %v, %d connects", nas, err, connects)
	}
	if again, _ := set.Get(ctx, "nas"); again != nas {
		t.Error("target opened twice")
	}
	ds, err := set.Get(ctx, "ds")
	if err != nil || ds.Location("x") != "[datastore1] ceso-backups/x" || connects != 1 {
		t.Fatalf("ds: %v, %v, %d connects", ds, err, connects)
	}
	if _, err := set.Get(ctx, "nope"); !errors.Is(err, target.ErrUnknownTarget) {
		t.Errorf("unknown: %v", err)
	}
	if _, err := set.Get(ctx, "odd"); !errors.Is(err, target.ErrUnavailable) {
		t.Errorf("odd type: %v", err)
	}
	if got := strings.Join(set.Names(), ","); got != "ds,nas,odd" || set.Default() != "nas" {
		t.Errorf("Names = %s, Default = %s", got, set.Default())
	}
	noHost := target.NewSet([]config.Target{{Name: "ds", Type: "datastore", Datastore: "datastore1"}}, "ds", nil)
	if _, err := noHost.Get(ctx, ""); !errors.Is(err, target.ErrNeedsHost) {
		t.Errorf("without a connector: %v", err)
	}
	failing := target.NewSet([]config.Target{{Name: "ds", Type: "datastore", Datastore: "datastore1"}}, "ds",
		func(context.Context) (*client.Client, error) { return nil, client.ErrConnectionRefused })
	if _, err := failing.Get(ctx, ""); !errors.Is(err, client.ErrConnectionRefused) {
		t.Errorf("failing connector: %v", err)
	}
	single := target.Single(nas)
	if got, err := single.Get(ctx, ""); err != nil || got != nas || strings.Join(single.Names(), ",") != "nas" {
		t.Errorf("Single: %v, %v", got, err)
	}
}
