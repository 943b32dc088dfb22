//go:build !integration

package integration

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// TestParallelPowerOverSSHWithMaxSessionsOne: a hardened host's sshd
// allows one session per connection (MaxSessions 1, the DISA STIG value).
// `vm power on --all --parallel 16` on the free licence goes over SSH on one
// connection: the sessions the host refuses are waited for, never taken
// for a dead connection, and every VM is powered on.
func TestParallelPowerOverSSHWithMaxSessionsOne(t *testing.T) {
	h := startFreeHostMaxSessions(t, 1)
	names, err := h.sim.SeedVMs(simtest.Ctx(t, time.Minute), 12, 4)
	if err != nil {
		t.Fatal(err)
	}
	c := newFreeCLI(t, h)
	code, out, stderr := c.run(t, "vm", "power", "on", "--all", "--parallel", "16", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	var results []vm.PowerResult
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(results) != len(names) {
		t.Fatalf("%d results for %d VMs", len(results), len(names))
	}
	for _, r := range results {
		if r.State != vm.PoweredOn || r.Error != "" {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	if h.srv.RefusedSessions() == 0 {
		t.Fatal("the host never refused a session: the test did not reach the limit")
	}
	if n := len(h.srv.Logins()); n != 1 {
		t.Fatalf("%d SSH logins: a refused session was taken for a dead connection", n)
	}
	if !strings.Contains(stderr, "over SSH") {
		t.Fatalf("no note that the power operations went over SSH:\n%s", stderr)
	}
}
