package server

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/vmware/govmomi/vim25/types"
)

func listNames(t *testing.T, ts *testServer, user string) (map[string]string, int) {
	t.Helper()
	r := ts.op(t, user, "vm.list", `{}`)
	if r.status != http.StatusOK {
		return nil, r.status
	}
	var o api.Outcome
	r.decode(t, &o)
	var vms []vm.Summary
	if err := json.Unmarshal(o.Result, &vms); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range vms {
		out[v.Name] = v.PowerState
	}
	return out, r.status
}

// TestInventoryCacheFollowsTheHost: with the cache, vm.list and vm.info
// answer while the host refuses every read (no round trip); a VM created
// directly on the host, behind the daemon's back, shows in the API's list
// as soon as the collector reports it; a write through the API is in the
// next list.
func TestInventoryCacheFollowsTheHost(t *testing.T) {
	on := true
	ts := newTestServer(t, serverOpts{configure: func(c *config.Config) { c.Server.InventoryCache = &on }})
	inv := ts.app.Inventory()
	if inv == nil {
		t.Fatal("Listen started no inventory cache")
	}
	if err := inv.WaitCurrent(simtest.Ctx(t, time.Minute)); err != nil {
		t.Fatal(err)
	}
	refuse := func() func() {
		var removes []func()
		for _, m := range []string{"RetrievePropertiesEx", "RetrieveProperties", "CreateContainerView"} {
			removes = append(removes, ts.sim.AddFault(esxisim.FaultRule{Method: m, Fault: &types.HostCommunication{}}))
		}
		return func() {
			for _, r := range removes {
				r()
			}
		}
	}
	allow := refuse()
	if names, status := listNames(t, ts, reader); status != http.StatusOK || names[esxisim.TemplateName] == "" {
		t.Fatalf("a cached list: %d %v", status, names)
	}
	if r := ts.op(t, reader, "vm.info", `{"name":"`+esxisim.TemplateName+`"}`); r.status != http.StatusOK {
		t.Fatalf("a cached info: %d %s", r.status, r.body)
	}
	allow()
	// Behind the daemon's back: another session creates a VM.
	other := simtest.Connect(t, ts.sim, "")
	start := time.Now()
	if _, err := vm.Create(simtest.Ctx(t, time.Minute), other, vm.CreateSpec{Name: "behind01", Template: esxisim.TemplateName}); err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	allow = refuse() // only the cache can show it now
	for deadline := time.Now().Add(30 * time.Second); ; {
		names, status := listNames(t, ts, reader)
		if status != http.StatusOK {
			t.Fatalf("list while the host refuses reads: %d", status)
		}
		if names["behind01"] != "" {
			t.Logf("the API listed the VM %s after its create returned (%s after it began)", time.Since(created), time.Since(start))
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the VM made behind the daemon's back never showed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	allow()
	// A write through the API: its caller's next list has it.
	ts.run(t, operator, "vm.power", `{"action":"on","names":["behind01"]}`)
	if names, _ := listNames(t, ts, reader); names["behind01"] != "poweredOn" {
		t.Fatalf("after a write through the API: %v", names)
	}
	if err := ts.srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ts.app.Inventory() != nil {
		t.Fatal("Shutdown left the cache running")
	}
}
