package vm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestPowerCycle(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, false)
	steps := []struct {
		op      PowerOp
		state   string
		already bool
	}{
		{PowerOn, PoweredOn, false},
		{PowerOn, PoweredOn, true},
		{PowerReset, PoweredOn, false},
		{PowerSuspend, Suspended, false},
		{PowerSuspend, Suspended, true},
		{PowerOn, PoweredOn, false}, // resume
		{PowerOff, PoweredOff, false},
		{PowerOff, PoweredOff, true},
		{PowerShutdown, PoweredOff, true},
	}
	for i, s := range steps {
		res, err := Power(ctx, c, "web01", s.op, PowerOptions{})
		if err != nil {
			t.Fatalf("step %d %s: %v", i, s.op, err)
		}
		if res.State != s.state || res.AlreadyInState != s.already || res.Name != "web01" || res.Op != s.op {
			t.Fatalf("step %d %s: %+v, want state %s already %v", i, s.op, res, s.state, s.already)
		}
		got, err := GetInfo(ctx, c, "web01")
		if err != nil || got.PowerState != s.state {
			t.Fatalf("step %d %s: host says %s (%v)", i, s.op, got.PowerState, err)
		}
	}
	_ = sim
}

func TestPowerRefusals(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, false)
	tests := []struct {
		name  string
		setup PowerOp
		op    PowerOp
		opts  PowerOptions
		want  error
	}{
		{"reset powered off", "", PowerReset, PowerOptions{}, client.ErrInvalidPowerState},
		{"suspend powered off", "", PowerSuspend, PowerOptions{}, client.ErrInvalidPowerState},
		{"shutdown without tools", PowerOn, PowerShutdown, PowerOptions{}, client.ErrToolsUnavailable},
		{"shutdown suspended", PowerSuspend, PowerShutdown, PowerOptions{}, client.ErrInvalidPowerState},
		{"unknown op", "", "hibernate", PowerOptions{}, ErrInvalidSpec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != "" {
				if tt.setup == PowerSuspend {
					mustPower(t, c, "web01", PowerOn)
				}
				mustPower(t, c, "web01", tt.setup)
			}
			_, err := Power(ctx, c, "web01", tt.op, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if _, err := PlanPower(ctx, c, "web01", tt.op, tt.opts); !errors.Is(err, tt.want) {
				t.Fatalf("plan error %v, want %v", err, tt.want)
			}
			mustPower(t, c, "web01", PowerOff)
		})
	}
	if _, err := Power(ctx, c, "nope", PowerOn, PowerOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown VM: %v", err)
	}
	_ = sim
}

func mustPower(t *testing.T, c *client.Client, name string, op PowerOp) {
	t.Helper()
	if _, err := Power(testCtx(t), c, name, op, PowerOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
}

func TestShutdown(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, true)
	// Without tools, force powers off instead, and says so.
	res, err := Power(ctx, c, "web01", PowerShutdown, PowerOptions{Force: true})
	if err != nil || !res.Forced || res.State != PoweredOff {
		t.Fatalf("forced shutdown without tools: %+v %v", res, err)
	}
	// With tools the guest shuts down.
	mustPower(t, c, "web01", PowerOn)
	if err := sim.SetGuest("web01", esxisim.Guest{IP: "192.0.2.10", ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	res, err = Power(ctx, c, "web01", PowerShutdown, PowerOptions{Timeout: 10 * time.Second})
	if err != nil || res.Forced || res.State != PoweredOff {
		t.Fatalf("guest shutdown: %+v %v", res, err)
	}
}

// hangingGuest is a Host whose guests ignore shutdown requests.
type hangingGuest struct{ Host }

func (h hangingGuest) Power(ctx context.Context, vm VMRef, op PowerOp) error {
	if op == PowerShutdown {
		return nil
	}
	return h.Host.Power(ctx, vm, op)
}

func TestShutdownTimeout(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, true)
	if err := sim.SetGuest("web01", esxisim.Guest{IP: "192.0.2.10", ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	h := hangingGuest{NewAPIHost(c)}
	_, err := Power(ctx, c, "web01", PowerShutdown, PowerOptions{Timeout: 300 * time.Millisecond, Host: h})
	if !errors.Is(err, ErrWaitTimeout) || errkind.Of(err) != errkind.Timeout || !strings.Contains(err.Error(), "300ms") {
		t.Fatalf("error %v", err)
	}
	res, err := Power(ctx, c, "web01", PowerShutdown, PowerOptions{Timeout: 300 * time.Millisecond, Force: true, Host: h})
	if err != nil || !res.Forced || res.State != PoweredOff {
		t.Fatalf("forced after timeout: %+v %v", res, err)
	}
}

func TestPlanPower(t *testing.T) {
	_, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, false)
	tests := []struct {
		op   PowerOp
		opts PowerOptions
		want []string
	}{
		{PowerOn, PowerOptions{}, []string{"VirtualMachine.PowerOnVM_Task web01"}},
		{PowerOff, PowerOptions{}, []string{"nothing to do"}},
	}
	for _, tt := range tests {
		steps, err := PlanPower(ctx, c, "web01", tt.op, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := actions(steps); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: plan %q, want %q", tt.op, got, tt.want)
		}
	}
	info, _ := GetInfo(ctx, c, "web01")
	if info.PowerState != PoweredOff {
		t.Fatal("the plan powered the VM on")
	}
}

func TestPowerMany(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	names, err := sim.SeedVMs(ctx, 9, 4)
	if err != nil {
		t.Fatal(err)
	}
	pool := client.NewPool(c.Config(), 4, c)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	batch := append(append([]string{}, names...), "missing", names[0])
	results := PowerMany(ctx, pool, batch, PowerOn, PowerOptions{}, 4)
	if len(results) != len(batch) {
		t.Fatalf("%d results for %d names", len(results), len(batch))
	}
	for i, r := range results {
		if r.Name != batch[i] {
			t.Fatalf("result %d is %q, want %q", i, r.Name, batch[i])
		}
		if batch[i] == "missing" {
			if !errors.Is(r.Err, ErrNotFound) || r.Error == "" {
				t.Errorf("missing VM: %+v", r)
			}
			continue
		}
		if r.Err != nil || r.State != PoweredOn {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	// vm-0003, vm-0006 and vm-0009 were seeded running.
	if !results[2].AlreadyInState || results[0].AlreadyInState {
		t.Errorf("already-in-state flags: %+v %+v", results[0], results[2])
	}
	err = BatchError(results)
	if !errors.Is(err, ErrPartial) || errkind.Of(err) != errkind.Partial || !strings.Contains(err.Error(), "missing") || !strings.Contains(err.Error(), "1 of 11") {
		t.Fatalf("batch error %v", err)
	}
	if pool.Sessions() > 4 {
		t.Errorf("%d sessions for parallel 4", pool.Sessions())
	}
}

func TestBatchError(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		results []PowerResult
		want    error
		kind    errkind.Kind
	}{
		{"all fine", []PowerResult{{Name: "a"}, {Name: "b"}}, nil, errkind.Unknown},
		{"one of one", []PowerResult{{Name: "a", Err: client.ErrInvalidPowerState}}, client.ErrInvalidPowerState, errkind.Refused},
		{"some", []PowerResult{{Name: "a"}, {Name: "b", Err: boom}}, ErrPartial, errkind.Partial},
		{"all of two", []PowerResult{{Name: "a", Err: boom}, {Name: "b", Err: boom}}, ErrPartial, errkind.Partial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := BatchError(tt.results)
			if !errors.Is(err, tt.want) || (err != nil && errkind.Of(err) != tt.kind) || (tt.want == nil) != (err == nil) {
				t.Fatalf("error %v (kind %v)", err, errkind.Of(err))
			}
		})
	}
}

func TestParsePowerOp(t *testing.T) {
	for in, want := range map[string]PowerOp{"on": PowerOn, " OFF ": PowerOff, "Shutdown": PowerShutdown, "reset": PowerReset, "suspend": PowerSuspend} {
		if got, err := ParsePowerOp(in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	if _, err := ParsePowerOp("reboot"); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("reboot: %v", err)
	}
}
