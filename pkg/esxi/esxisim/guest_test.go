package esxisim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func guestOf(t *testing.T, vm *object.VirtualMachine) *types.GuestInfo {
	t.Helper()
	var m mo.VirtualMachine
	if err := vm.Properties(context.Background(), vm.Reference(), []string{"guest"}, &m); err != nil {
		t.Fatal(err)
	}
	return m.Guest
}

func TestSetGuestAndPowerOffClearsIt(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	if err := powerOn(ctx, vm); err != nil {
		t.Fatal(err)
	}
	if g := guestOf(t, vm); g.IpAddress != "" || g.ToolsRunningStatus == "guestToolsRunning" {
		t.Fatalf("fresh guest reports %q, %s", g.IpAddress, g.ToolsRunningStatus)
	}
	err := s.SetGuest(TemplateName, Guest{IP: "10.0.0.5", ToolsRunning: true, HostName: "tmpl"})
	if err != nil {
		t.Fatal(err)
	}
	g := guestOf(t, vm)
	if g.IpAddress != "10.0.0.5" || g.HostName != "tmpl" || g.ToolsRunningStatus != "guestToolsRunning" || g.ToolsStatus != types.VirtualMachineToolsStatusToolsOk {
		t.Fatalf("guest = %+v", g)
	}
	if len(g.Net) != 1 || len(g.Net[0].IpAddress) != 1 || g.Net[0].IpAddress[0] != "10.0.0.5" || g.Net[0].Network != "VM Network" {
		t.Fatalf("guest.net = %+v", g.Net)
	}
	ip, err := vm.WaitForIP(ctx)
	if err != nil || ip != "10.0.0.5" {
		t.Fatalf("WaitForIP = %q, %v", ip, err)
	}
	if err := powerOff(ctx, vm); err != nil {
		t.Fatal(err)
	}
	g = guestOf(t, vm)
	if g.IpAddress != "" || len(g.Net) != 0 || g.ToolsRunningStatus != "guestToolsNotRunning" || g.ToolsStatus != types.VirtualMachineToolsStatusToolsNotRunning {
		t.Fatalf("after power-off guest = %+v", g)
	}
}

func TestSetGuestErrors(t *testing.T) {
	s := startSim(t, Options{})
	tests := []struct {
		name string
		vm   string
		g    Guest
		want error
	}{
		{"unknown VM", "nope", Guest{IP: "10.0.0.1"}, ErrNoSuchVM},
		{"bad IP", TemplateName, Guest{IP: "10.0.0"}, ErrInvalidGuest},
		{"bad per-NIC IP", TemplateName, Guest{IPs: []string{"x"}}, ErrInvalidGuest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SetGuest(tt.vm, tt.g); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestShutdownGuestNeedsTools(t *testing.T) {
	s := startSim(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	if err := vm.ShutdownGuest(ctx); !fault.Is(err, &types.InvalidPowerState{}) {
		t.Fatalf("powered off: err = %v, want InvalidPowerState", err)
	}
	if err := powerOn(ctx, vm); err != nil {
		t.Fatal(err)
	}
	err := vm.ShutdownGuest(ctx)
	if !fault.Is(err, &types.ToolsUnavailable{}) || !strings.Contains(err.Error(), msgToolsUnavailable) {
		t.Fatalf("no tools: err = %v, want ToolsUnavailable", err)
	}
	if err := s.SetGuest(TemplateName, Guest{ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	if err := vm.ShutdownGuest(ctx); err != nil {
		t.Fatalf("with tools: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := vm.PowerState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st == types.VirtualMachinePowerStatePoweredOff {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %s after shutdown", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if g := guestOf(t, vm); g.ToolsRunningStatus != "guestToolsNotRunning" {
		t.Errorf("after guest shutdown tools = %s", g.ToolsRunningStatus)
	}
}

func TestAutoGuest(t *testing.T) {
	s := startSim(t, Options{AutoGuest: true})
	c := connect(t, s)
	ctx := context.Background()
	vm := vmByName(t, c, TemplateName)
	if err := powerOn(ctx, vm); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ip, err := vm.WaitForIP(wctx)
	if err != nil || ip != AutoGuestIP(TemplateName) {
		t.Fatalf("WaitForIP = %q, %v; want %s", ip, err, AutoGuestIP(TemplateName))
	}
	if g := guestOf(t, vm); g.HostName != TemplateName || g.ToolsRunningStatus != "guestToolsRunning" {
		t.Errorf("guest = %+v", g)
	}
	s.SetAutoGuest(false)
	if err := powerOff(ctx, vm); err != nil {
		t.Fatal(err)
	}
	if err := powerOn(ctx, vm); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * autoGuestDelay)
	if g := guestOf(t, vm); g.IpAddress != "" {
		t.Errorf("auto guest off, yet IP %q", g.IpAddress)
	}
}
