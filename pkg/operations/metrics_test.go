package operations

import (
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/ops"
)

// TestOperationsFeedTheMetrics: running operations on the simulator counts
// them, their ESXi API calls, the logins and the pool's sessions, and a
// refusal by the sandbox, on the App's registry.
func TestOperationsFeedTheMetrics(t *testing.T) {
	f := newFixture(t)
	ctx := simtest.Ctx(t, time.Minute)
	if _, err := Run(ctx, f.a, app.Call{Mode: ops.ModeReadOnly}, VMDelete, VMDeleteParams{Name: vmOff}); err == nil {
		t.Fatal("read-only mode let a delete run")
	}
	text, err := f.a.Metrics().Text()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`ceso_vm_operation_total{operation="vm.create",status="success"} 2`,
		`ceso_vm_operation_total{operation="vm.delete",status="refused"} 1`,
		`ceso_sandbox_denials_total{mode="restricted",operation="vm.delete"} 1`,
		`ceso_esxi_api_call_duration_seconds_count{class="task"}`,
		`ceso_esxi_api_call_duration_seconds_count{class="read"}`,
		`ceso_esxi_reachable 1`,
		`ceso_esxi_sessions_idle 1`,
		`ceso_esxi_sessions_in_use 0`,
		`ceso_backup_size_bytes{vm_name="` + vmOff + `"}`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the metrics lack %s", want)
		}
	}
}
