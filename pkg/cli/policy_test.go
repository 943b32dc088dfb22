package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/security"
)

// TestPolicyCapsTheUserConfig: a system policy (CESO_POLICY, a root-owned
// file) caps the mode the user's config may ask for, gives its own mode to a
// config that names none, and pins the promotion key: an approval signed
// with a key of the user's own making is refused.
func TestPolicyCapsTheUserConfig(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("a trusted policy file is owned by root")
	}
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	operator := e.keygen(t, "operator.key")
	agent := e.keygen(t, "agent.key")
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(policy, []byte("max_mode: restricted\npromotion_public_key: "+operator+".pub\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.vars[security.PolicyEnv] = policy

	e.configure(t, "security:\n  mode: unrestricted\n")
	_, stderr := e.mustRun(t, cmdutil.ExitConfig, "vm", "list")
	if !strings.Contains(stderr, "the system policy allows at most restricted") || !strings.Contains(stderr, policy) {
		t.Fatalf("a mode above the policy: %s", stderr)
	}

	e.configure(t, "security:\n  promotion_public_key: "+agent+".pub\n")
	out, _ := e.mustRun(t, 0, "config", "show")
	for _, want := range []string{"mode: restricted", "# system policy: " + policy, "promotion_public_key: " + operator + ".pub"} {
		if !strings.Contains(out, want) {
			t.Errorf("config show lacks %q:\n%s", want, out)
		}
	}
	before := e.host(t)
	out, _ = e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web01")
	plan := planIDRE.FindStringSubmatch(out)[1]
	forged := e.sign(t, "sandbox", "approve", plan, "--key", agent)
	_, stderr = e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web01", "--approval", forged)
	if !strings.Contains(stderr, "token signed by another key") {
		t.Fatalf("the user's own key: %s", stderr)
	}
	if after := e.host(t); after != before {
		t.Fatalf("the host changed:\n%s\n---\n%s", before, after)
	}
	e.mustRun(t, 0, "vm", "create", "web01", "--approval", e.sign(t, "sandbox", "approve", plan, "--key", operator))

	// An untrusted policy is an error, not a policy skipped.
	if err := os.Chown(policy, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if _, stderr := e.mustRun(t, cmdutil.ExitConfig, "vm", "list"); !strings.Contains(stderr, "system policy not trusted") {
		t.Fatalf("untrusted policy: %s", stderr)
	}
}

// TestUnwritableAuditLogRefuses: when the audit record cannot be written —
// a full disk, a path that is a directory, a directory that cannot be made
// — every operation is refused before anything reaches the host, and the
// error says why.
func TestUnwritableAuditLogRefuses(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	before := e.host(t)
	dir := t.TempDir()
	full := filepath.Join(dir, "full.log")
	if err := os.Symlink("/dev/full", full); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "blocker")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	asDir := filepath.Join(dir, "a-directory")
	if err := os.Mkdir(asDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, path, why string }{
		{"disk full", full, "no space left on device"},
		{"a directory", asDir, "is a directory"},
		{"no directory", filepath.Join(blocker, "audit.log"), "not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat("/dev/full"); tt.path == full && err != nil {
				t.Skip("no /dev/full")
			}
			e.configure(t, "security:\n  audit_log: "+tt.path+"\n")
			requests := e.sim.Requests()
			for _, args := range [][]string{{"vm", "create", "web01"}, {"vm", "list"}} {
				_, stderr := e.mustRun(t, cmdutil.ExitRefused, args...)
				if !strings.Contains(stderr, "audit record could not be written; the operation was not run") || !strings.Contains(stderr, tt.why) {
					t.Errorf("%v: %s", args, stderr)
				}
			}
			if n := e.sim.Requests() - requests; n != 0 {
				t.Errorf("%d requests reached the host", n)
			}
			e.configure(t, "{}\n")
			if after := e.host(t); after != before {
				t.Fatalf("the host changed:\n%s\n---\n%s", before, after)
			}
		})
	}
}
