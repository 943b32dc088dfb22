package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/audit"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// keygen makes the operator's key pair in a directory of its own and
// returns the private key's path.
func (e *env) keygen(t *testing.T, name string) string {
	t.Helper()
	key := filepath.Join(t.TempDir(), name)
	out, _ := e.mustRun(t, 0, "sandbox", "keygen", key)
	if !strings.Contains(out, "key ID") {
		t.Fatalf("keygen printed %q", out)
	}
	return key
}

// sign runs a signing verb and returns what it printed on stdout, which
// must be the token alone.
func (e *env) sign(t *testing.T, args ...string) string {
	t.Helper()
	out, _ := e.mustRun(t, 0, args...)
	tok := strings.TrimSuffix(out, "\n")
	if strings.ContainsAny(tok, " \n") || !strings.HasPrefix(tok, "ceso-") {
		t.Fatalf("%v printed more than a token: %q", args, out)
	}
	return tok
}

// lastRecord is the newest audit record.
func (e *env) lastRecord(t *testing.T) audit.Entry {
	t.Helper()
	f, err := os.Open(filepath.Join(e.vars["HOME"], ".local", "share", "ceso", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := audit.ReadRecords(f)
	if err != nil || len(lines) == 0 {
		t.Fatalf("audit log: %v", err)
	}
	return lines[len(lines)-1].Entry
}

// TestApprovalsEndToEnd: in restricted mode vm create prints its plan ID; a
// human signs an approval of it; --approval lets the create run once;
// changed params are a stale plan, a second use a replay.
func TestApprovalsEndToEnd(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	key := e.keygen(t, "promote.key")
	e.configure(t, "security:\n  mode: restricted\n  promotion_public_key: "+key+".pub\n")
	out, _ := e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web01", "--cpu", "1")
	m := planIDRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no plan ID in:\n%s", out)
	}
	approval := e.sign(t, "sandbox", "approve", m[1], "--key", key)

	// Other params: another plan.
	_, stderr := e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web01", "--cpu", "2", "--approval", approval)
	if r := e.lastRecord(t); r.Outcome != "refused" || !strings.Contains(r.Error, "another plan") {
		t.Fatalf("the refusal was not audited: %+v", r.Record)
	}
	if !strings.Contains(stderr, "approval is for another plan") || strings.Contains(e.host(t), "web01") {
		t.Fatalf("stale plan: %s", stderr)
	}
	e.mustRun(t, 0, "vm", "create", "web01", "--cpu", "1", "--approval", approval)
	if !strings.Contains(e.host(t), "web01 poweredOff") {
		t.Fatal("the approved create made nothing")
	}
	// Take the VM away behind ceso's back: the plan is the same again, and
	// the approval is spent.
	c := simtest.Connect(t, e.sim, "")
	if err := vm.Delete(context.Background(), c, "web01", true); err != nil {
		t.Fatal(err)
	}
	_, stderr = e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web01", "--cpu", "1", "--approval", approval)
	if !strings.Contains(stderr, "approval already used") || strings.Contains(e.host(t), "web01") {
		t.Fatalf("replay: %s", stderr)
	}
	// An approval revoked before its use is refused.
	out, _ = e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web02")
	plan2 := planIDRE.FindStringSubmatch(out)[1]
	approval2 := e.sign(t, "sandbox", "approve", plan2, "--key", key, "--ttl", "5m")
	if _, stderr := e.mustRun(t, 0, "sandbox", "approve", plan2, "--key", key); !strings.Contains(stderr, "of "+plan2+", valid once until") {
		t.Fatalf("approve said %q", stderr)
	}
	e.mustRun(t, 0, "sandbox", "revoke", signedID(t, approval2))
	if _, stderr := e.mustRun(t, cmdutil.ExitRefused, "vm", "create", "web02", "--approval", approval2); !strings.Contains(stderr, "revoked") {
		t.Fatalf("revoked approval: %s", stderr)
	}
	e.mustRun(t, cmdutil.ExitUsage, "sandbox", "approve", "not-a-plan", "--key", key)
	e.mustRun(t, cmdutil.ExitUsage, "sandbox", "approve", m[1])
	e.mustRun(t, cmdutil.ExitUsage, "sandbox", "approve", m[1], "--key", key, "--ttl", "1h")
}

// TestPromotionTokensEndToEnd: a token for vm.delete of one VM, used once;
// forged, out of scope, used up and revoked tokens are refused, audited,
// and change nothing.
func TestPromotionTokensEndToEnd(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: 1 << 20})
	key := e.keygen(t, "promote.key")
	e.configure(t, "security:\n  mode: unrestricted\n")
	e.mustRun(t, 0, "vm", "create", "web01")
	e.mustRun(t, 0, "vm", "create", "web02")
	e.configure(t, "security:\n  mode: restricted\n  promotion_public_key: "+key+".pub\n  max_promotion: 30m\n")
	before := e.host(t)

	e.mustRun(t, cmdutil.ExitUsage, "sandbox", "promote", "--duration", "10m", "--ops", "vm.nuke", "--key", key)
	e.mustRun(t, cmdutil.ExitUsage, "sandbox", "promote", "--duration", "1h", "--ops", "vm.delete", "--key", key)
	e.mustRun(t, cmdutil.ExitUsage, "sandbox", "promote", "--ops", "vm.delete", "--key", key)
	tok := e.sign(t, "sandbox", "promote", "--duration", "10m", "--ops", "vm.delete", "--target", "web01", "--max-uses", "1", "--key", key)

	forgedBytes := []byte(tok) // one character of the signature changed
	if i := len(forgedBytes) - 10; forgedBytes[i] == 'A' {
		forgedBytes[i] = 'B'
	} else {
		forgedBytes[i] = 'A'
	}
	forged := string(forgedBytes)
	for _, bad := range [][]string{
		{"vm", "delete", "web01", "--yes", "--promotion-token", forged},
		{"vm", "delete", "web02", "--yes", "--promotion-token", tok},
		{"vm", "create", "web03", "--promotion-token", tok},
	} {
		_, stderr := e.mustRun(t, cmdutil.ExitRefused, bad...)
		if !strings.Contains(stderr, "the promotion token given does not lift it") ||
			!strings.Contains(stderr, map[string]string{"web01": "token signature invalid", "web02": "target outside", "web03": "operation outside"}[bad[2]]) {
			t.Errorf("%v: %s", bad, stderr)
		}
		if r := e.lastRecord(t); r.Outcome != "refused" || r.Error == "" || strings.Contains(r.Error, tok[20:40]) {
			t.Errorf("%v: record %+v", bad, r.Record)
		}
	}
	if after := e.host(t); after != before {
		t.Fatalf("refused tokens changed the host:\n%s\n---\n%s", before, after)
	}
	e.vars[cmdutil.PromotionTokenEnv] = tok
	e.mustRun(t, 0, "vm", "delete", "web01", "--yes")
	if r := e.lastRecord(t); r.Outcome != "success" || r.TokenID == "" {
		t.Fatalf("record %+v", r.Record)
	}
	id := e.lastRecord(t).TokenID
	if strings.Contains(e.host(t), "web01") {
		t.Fatal("web01 survived")
	}
	_, stderr := e.mustRun(t, cmdutil.ExitRefused, "vm", "delete", "web02", "--yes")
	if !strings.Contains(stderr, "token used up") {
		t.Fatalf("%s", stderr)
	}

	// Revoked: refused from then on.
	tok2 := e.sign(t, "sandbox", "promote", "--duration", "10m", "--ops", "vm.delete", "--key", key)
	delete(e.vars, cmdutil.PromotionTokenEnv)
	e.mustRun(t, 0, "sandbox", "revoke", signedID(t, tok2))
	e.mustRun(t, cmdutil.ExitUsage, "sandbox", "revoke", "not-an-id")
	_, stderr = e.mustRun(t, cmdutil.ExitRefused, "vm", "delete", "web02", "--yes", "--promotion-token", tok2)
	if !strings.Contains(stderr, "token revoked") || !strings.Contains(e.host(t), "web02") {
		t.Fatalf("revoked token: %s", stderr)
	}
	// The ID in the audit record is the token's.
	if id != signedID(t, tok) {
		t.Fatalf("audited token ID %s, want %s", id, signedID(t, tok))
	}
}

// signedID reads the ID in a token's payload (the signature is not
// checked: the test only needs the ID promote and approve print).
func signedID(t *testing.T, tok string) string {
	t.Helper()
	_, rest, _ := strings.Cut(tok, ".")
	payload, _, _ := strings.Cut(rest, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" {
		t.Fatalf("token payload %s: %v", raw, err)
	}
	return c.ID
}
