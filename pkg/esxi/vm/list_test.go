package vm

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestListFilters(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{ExtraVMs: 12})
	ctx := testCtx(t)
	all, err := List(ctx, c, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 13 {
		t.Fatalf("%d VMs, want 13 (template + 12)", len(all))
	}
	var on, off int
	for i, v := range all {
		if i > 0 && all[i-1].Name >= v.Name {
			t.Fatalf("not sorted by name: %q before %q", all[i-1].Name, v.Name)
		}
		if v.UUID == "" || v.CPU == 0 || v.MemoryMB == 0 || v.GuestOS == "" || v.ID == "" || v.Path == "" {
			t.Errorf("incomplete summary %+v", v)
		}
		switch v.PowerState {
		case PoweredOn:
			on++
		case PoweredOff:
			off++
		}
	}
	tmpl := all[0]
	if tmpl.Name != esxisim.TemplateName || tmpl.PowerState != PoweredOff || tmpl.CPU != 2 || tmpl.MemoryMB != 2048 {
		t.Fatalf("template summary %+v", tmpl)
	}
	tests := []struct {
		filter Filter
		want   int
	}{
		{Filter{Name: "vm-000*"}, 9},
		{Filter{Name: "vm-001[0-2]"}, 3},
		{Filter{Name: "ubuntu-*"}, 1},
		{Filter{Name: "nothing*"}, 0},
		{Filter{PowerState: "on"}, on},
		{Filter{PowerState: "poweredOff"}, off},
		{Filter{Name: "ubuntu-*", PowerState: "on"}, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.filter), func(t *testing.T) {
			got, err := List(ctx, c, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("%d VMs, want %d", len(got), tt.want)
			}
		})
	}
	if on == 0 || off == 0 {
		t.Fatalf("seeded VMs should have mixed power states: on=%d off=%d", on, off)
	}
	// The guest address shows once the guest reports one.
	if err := sim.SetGuest("vm-0001", esxisim.Guest{IP: "192.0.2.7", ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	got, err := List(ctx, c, Filter{Name: "vm-0001"})
	if err != nil || len(got) != 1 || got[0].IP != "192.0.2.7" {
		t.Fatalf("list after SetGuest: %+v %v", got, err)
	}
}

func TestListRejectsBadFilters(t *testing.T) {
	for _, f := range []Filter{{Name: "[unclosed"}, {PowerState: "sleeping"}} {
		err := f.Validate()
		if !errors.Is(err, ErrInvalidFilter) || errkind.Of(err) != errkind.Usage {
			t.Errorf("%+v: error %v", f, err)
		}
	}
}

// TestListRoundTripsDoNotGrow checks the promise of one retrieval: listing
// 200+ VMs costs the same number of API round trips as listing one.
func TestListRoundTripsDoNotGrow(t *testing.T) {
	sim, c := startSim(t, esxisim.Options{})
	ctx := testCtx(t)
	count := func() int64 {
		before := c.Stats().RoundTrips
		vms, err := List(ctx, c, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d VMs", len(vms))
		return c.Stats().RoundTrips - before
	}
	small := count()
	if _, err := sim.SeedVMs(ctx, 210, 8); err != nil {
		t.Fatal(err)
	}
	large := count()
	if large != small || small > 3 {
		t.Fatalf("round trips: %d for 1 VM, %d for 211 VMs; want the same, at most 3", small, large)
	}
}
