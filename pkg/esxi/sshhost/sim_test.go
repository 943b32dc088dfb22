package sshhost

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// startSim starts the simulator and logs in to it.
func startSim(t *testing.T, opts esxisim.Options) (*esxisim.Simulator, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts.TemplateDiskSize = 1 << 20
	sim, err := esxisim.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	c, err := client.Connect(ctx, client.Config{Host: sim.Host(), User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return sim, c
}

func TestFreeLicenceAndInventoryOnTheSimulator(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{FreeLicence: true})
	ctx := context.Background()
	free, err := FreeLicence(ctx, c)
	if err != nil || !free {
		t.Fatalf("free licence: %v, %v", free, err)
	}
	sim.SetFreeLicence(false)
	if free, err := FreeLicence(ctx, c); err != nil || free {
		t.Fatalf("evaluation licence read as free: %v, %v", free, err)
	}

	inv := APIInventory{C: c}
	path := "[" + sim.Datastore() + "] " + esxisim.TemplateName + "/" + esxisim.TemplateName + ".vmx"
	ref, err := inv.VMByPath(ctx, path)
	if err != nil || ref.Name != esxisim.TemplateName || ref.ID == "" {
		t.Fatalf("VMByPath: %+v, %v", ref, err)
	}
	if _, err := inv.VMByPath(ctx, "[datastore1] nope/nope.vmx"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("missing VM: %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := FreeLicence(done, c); err == nil {
		t.Fatal("licence read with a cancelled context")
	}
	if _, err := inv.VMByPath(done, path); err == nil {
		t.Fatal("inventory read with a cancelled context")
	}
}
