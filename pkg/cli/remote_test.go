package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/server"
)

// TestServerFlags: --server, --token-file and --server-thumbprint send a
// command to a TLS server; a restricted token's write exits 6 as it would
// locally; a missing or readable token file, plain HTTP beyond loopback
// and a wrong pin are refused before anything is sent.
func TestServerFlags(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	token, sum, _ := server.NewToken(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	cfg, err := config.Load("", config.MapEnv(e.vars))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Server.Tokens = []config.ServerToken{{Name: "agent", SHA256: sum, Mode: "restricted"}}
	a, err := app.New(app.Options{Config: cfg, Env: config.MapEnv(e.vars)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{App: a, Listen: "0.0.0.0:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()); _ = a.Close(context.Background()) })
	url := "https://127.0.0.1:" + srv.URL()[strings.LastIndex(srv.URL(), ":")+1:]
	dir := t.TempDir()
	tokenFile, loose := filepath.Join(dir, "token"), filepath.Join(dir, "loose")
	_ = os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
	_ = os.WriteFile(loose, []byte(token), 0o644)
	remote := []string{"--server", url, "--token-file", tokenFile, "--server-thumbprint", srv.Fingerprint()}
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"read", append(remote, "vm", "list", "--json"), 0, `"name": "` + esxisim.TemplateName + `"`},
		{"write refused", append(remote, "vm", "create", "web01"), cmdutil.ExitRefused, "vm.create is a write operation"},
		{"dry run allowed", append(remote, "vm", "create", "web01", "--dry-run"), 0, "dry run: vm.create web01"},
		{"no token file", []string{"--server", url, "vm", "list"}, cmdutil.ExitConfig, "--token-file"},
		{"readable token file", []string{"--server", url, "--token-file", loose, "vm", "list"}, cmdutil.ExitConfig, "chmod 600"},
		{"plain HTTP far away", []string{"--server", "http://192.0.2.7:8443", "--token-file", tokenFile, "vm", "list"}, cmdutil.ExitUsage, "plain HTTP"},
		{"wrong pin", []string{"--server", url, "--token-file", tokenFile, "--server-thumbprint", strings.Repeat("AA:", 31) + "AA", "vm", "list"}, cmdutil.ExitConnection, "not the pinned"},
		{"local commands stay local", []string{"--server", url, "ops", "list"}, 0, "vm.list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := e.runLocal(t, tt.args...)
			if code != tt.code || !strings.Contains(out+stderr, tt.out) {
				t.Fatalf("exit %d (want %d)\n%s\n%s", code, tt.code, out, stderr)
			}
		})
	}
}

// runLocal runs the CLI in-process as given, never through a test server.
func (e *env) runLocal(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	io, _, out, errOut := cmdutil.Test()
	code := Run(context.Background(), args, io, func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok })
	return code, out.String(), errOut.String()
}
