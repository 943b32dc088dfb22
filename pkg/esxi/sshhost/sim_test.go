package sshhost

import (
	"context"
	"errors"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// startSim starts the simulator and logs in to it.
func startSim(t *testing.T, opts esxisim.Options) (*esxisim.Simulator, *client.Client) {
	t.Helper()
	opts.TemplateDiskSize = 1 << 20
	sim := simtest.Start(t, opts)
	return sim, simtest.Connect(t, sim, "")
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
