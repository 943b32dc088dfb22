package esxisim

import (
	"context"
	"errors"
	"testing"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"
)

func TestLocalClientIsNotBoundByTheFreeLicence(t *testing.T) {
	s := startSim(t, Options{FreeLicence: true})
	ctx := context.Background()
	local, err := s.LocalClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Logout(context.Background()) })
	remote := connect(t, s)

	if err := waitTask(ctx, vmByName(t, remote, TemplateName).PowerOn); !fault.Is(err, &types.RestrictedVersion{}) {
		t.Fatalf("remote power-on: %v, want RestrictedVersion", err)
	}
	vm := vmByName(t, local, TemplateName)
	if err := waitTask(ctx, vm.PowerOn); err != nil {
		t.Fatalf("local power-on: %v", err)
	}
	if err := waitTask(ctx, vmByName(t, remote, TemplateName).PowerOff); !fault.Is(err, &types.RestrictedVersion{}) {
		t.Fatalf("remote power-off after the local one: %v, want RestrictedVersion", err)
	}
	// The corrections still apply: the template powered on cannot be
	// destroyed, and a guest shutdown needs VMware Tools.
	if err := vm.ShutdownGuest(ctx); !fault.Is(err, &types.ToolsUnavailable{}) {
		t.Errorf("local shutdown without tools: %v, want ToolsUnavailable", err)
	}
	// Injected faults apply too.
	s.FailTask("PowerOffVM_Task", &types.TaskInProgress{}, 1)
	if err := waitTask(ctx, vm.PowerOff); !fault.Is(err, &types.TaskInProgress{}) {
		t.Errorf("local power-off with an injected fault: %v", err)
	}
}

func TestLocalClientOnClosedSimulator(t *testing.T) {
	s := startSim(t, Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LocalClient(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}
