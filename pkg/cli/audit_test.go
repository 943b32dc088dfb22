package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// TestAuditCommands: verify names the first broken record by file and line
// (edited, deleted, and with a checkpoint a cut tail); checkpoint prints
// the head; hash gives the HMAC a secret param took.
func TestAuditCommands(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	e.mustRun(t, cmdutil.ExitNotFound, "audit", "verify")
	e.mustRun(t, cmdutil.ExitNotFound, "audit", "hash", "x")
	cloudConfig := "#cloud-config\npackages: [jq]\n"
	cc := filepath.Join(t.TempDir(), "user-data.yaml")
	if err := os.WriteFile(cc, []byte(cloudConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun(t, 0, "cloudinit", "render", "web01", "--cloud-config", cc)
	e.mustRun(t, 0, "vm", "list")
	e.mustRun(t, 0, "vm", "info", esxisim.TemplateName)

	out, _ := e.mustRun(t, 0, "audit", "verify")
	if !strings.HasPrefix(out, "ok: 6 records in 1 file(s) (audit.log), head 6:") {
		t.Fatalf("verify: %q", out)
	}
	cp, _ := e.mustRun(t, 0, "audit", "checkpoint")
	cp = strings.TrimSpace(cp)
	if !regexp.MustCompile(`^6:[0-9a-f]{64}$`).MatchString(cp) || !strings.Contains(out, cp) {
		t.Fatalf("checkpoint %q, verify said %q", cp, out)
	}
	e.mustRun(t, 0, "audit", "verify", "--checkpoint", cp)
	e.mustRun(t, cmdutil.ExitUsage, "audit", "verify", "--checkpoint", "6:nothex")

	// The cloud-config is a secret param: the log holds its HMAC only.
	path := filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "audit.log")
	log, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := e.mustRun(t, 0, "audit", "hash", cloudConfig)
	hash = strings.TrimSpace(hash)
	if !strings.HasPrefix(hash, "hmac-sha256:") || !strings.Contains(string(log), hash) || strings.Contains(string(log), "[jq]") {
		t.Fatalf("hash %s; log:\n%s", hash, log)
	}
	e.mustRun(t, cmdutil.ExitUsage, "audit", "hash", "-")

	lines := strings.SplitAfter(string(log), "\n")
	for _, tt := range []struct {
		name, content, cp, want string
	}{
		{"edited", strings.Join(lines[:2], "") + strings.Replace(lines[2], `"vm.list"`, `"vm.lisp"`, 1) + strings.Join(lines[3:], ""), "", "audit.log:3: edited"},
		{"deleted", strings.Join(lines[:3], "") + strings.Join(lines[4:], ""), "", "audit.log:4: deleted"},
		{"cut tail", strings.Join(lines[:4], ""), cp, "truncated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"audit", "verify", path}
			if tt.cp != "" {
				args = append(args, "--checkpoint", tt.cp)
			}
			out, stderr := e.mustRun(t, cmdutil.ExitRefused, args...)
			if !strings.Contains(out, tt.want) || !strings.Contains(stderr, "audit log failed verification") {
				t.Fatalf("%s\n%s", out, stderr)
			}
		})
	}
	// Without the checkpoint, the cut log still verifies: the reason to
	// keep checkpoints elsewhere.
	e.mustRun(t, 0, "audit", "verify", path)
	out, _ = e.mustRun(t, 0, "audit", "verify", path, "--json")
	if !strings.Contains(out, `"records": 4`) {
		t.Fatalf("json report %s", out)
	}
}
