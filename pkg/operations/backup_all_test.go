package operations

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/ops"
)

// TestBackupCreateAll: --all takes every VM but the template, goes on past
// a VM whose backup fails (an EFI VM whose NVRAM file is gone), and ends in
// a partial failure that names it; the running VM is backed up hot, and
// with power_off cold.
func TestBackupCreateAll(t *testing.T) {
	f := newFixture(t)
	ctx := simtest.Ctx(t, 3*time.Minute)
	call := app.Call{Mode: ops.ModeUnrestricted}
	nvram := filepath.Join(f.sim.DatastoreDir(), vmOff, vmOff+".nvram")
	if err := os.Rename(nvram, nvram+".away"); err != nil {
		t.Fatal(err)
	}
	out, err := Run(ctx, f.a, call, BackupCreate, BackupCreateParams{All: true})
	if !errors.Is(err, backup.ErrPartial) || errkind.Of(err) != errkind.Partial || !strings.Contains(err.Error(), vmOff+":") ||
		!strings.Contains(err.Error(), "NVRAM") {
		t.Fatalf("error %v", err)
	}
	if len(out.Result) != 1 || out.Result[0].VMName != vmOn || out.Result[0].Metadata["consistency"] != "crash-consistent" {
		t.Fatalf("entries %+v", out.Result)
	}
	if err := os.Rename(nvram+".away", nvram); err != nil {
		t.Fatal(err)
	}
	plan, err := Run(ctx, f.a, app.Call{Mode: ops.ModeUnrestricted, DryRun: true}, BackupCreate, BackupCreateParams{All: true, Match: "on*", PowerOff: true})
	if err != nil || !strings.Contains(ops.FormatPlan(plan.Plan), "PowerOnVM_Task "+vmOn) || strings.Contains(ops.FormatPlan(plan.Plan), vmOff) {
		t.Fatalf("plan %v\n%s", err, ops.FormatPlan(plan.Plan))
	}
	out, err = Run(ctx, f.a, call, BackupCreate, BackupCreateParams{All: true, PowerOff: true, ShutdownTimeout: Duration(time.Second)})
	if err != nil || len(out.Result) != 2 {
		t.Fatalf("all with power_off: %v %+v", err, out.Result)
	}
	for _, e := range out.Result {
		if e.VMName == esxisim.TemplateName {
			t.Fatal("the template was backed up")
		}
	}
	// A single VM's failure is its own error, not a partial one.
	if _, err := Run(ctx, f.a, call, BackupCreate, BackupCreateParams{VM: "nope"}); err == nil || errkind.Of(err) == errkind.Partial {
		t.Fatalf("missing VM: %v", err)
	}
}
