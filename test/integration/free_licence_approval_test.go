//go:build !integration

package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/operations"
)

// TestFreeLicenceApproval: on the free licence a create goes over SSH and
// its plan holds the .vmx it writes. The plan is the same every time (the
// run's new instance-id is a placeholder in it), so a human's approval of
// the printed plan ID lets the create run, in restricted mode.
func TestFreeLicenceApproval(t *testing.T) {
	h := startFreeHost(t)
	c := newFreeCLI(t, h)
	key := filepath.Join(t.TempDir(), "promote.key")
	if code, _, stderr := c.run(t, "sandbox", "keygen", key); code != 0 {
		t.Fatal(stderr)
	}
	f, err := os.OpenFile(c.vars["CESO_CONFIG"], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("security:\n  mode: restricted\n  promotion_public_key: " + key + ".pub\n"); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	re := regexp.MustCompile(`plan ID: (plan-[0-9a-f]{32})`)
	args := []string{"vm", "create", "web", "--dhcp"}
	var ids []string
	for range 2 {
		code, out, stderr := c.run(t, args...)
		m := re.FindStringSubmatch(out)
		if code != cmdutil.ExitRefused || m == nil || !strings.Contains(out, "[ssh] vmkfstools") || !strings.Contains(out, "bytes on stdin, SHA-256 ") {
			t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
		}
		ids = append(ids, m[1])
	}
	if ids[0] != ids[1] {
		t.Fatalf("the plan of one create changed between two runs: %v", ids)
	}
	if len(h.shell.Commands()) != 0 {
		t.Fatalf("a refused create ran %v", h.shell.Commands())
	}
	code, approval, stderr := c.run(t, "sandbox", "approve", ids[0], "--key", key)
	if code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr = c.run(t, append(args, "--approval", strings.TrimSpace(approval))...)
	if code != 0 || !strings.Contains(stderr, "over SSH") {
		t.Fatalf("approved create: exit %d\n%s", code, stderr)
	}
	info, err := vm.GetInfo(t.Context(), h.c, "web")
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := cloudinit.Decode(info.ExtraConfig).Metadata["instance-id"].(string); id == "" || id == operations.PlannedInstanceID {
		t.Fatalf("the VM's instance-id is %q: the run must make a new one", id)
	}
}
