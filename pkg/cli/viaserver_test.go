package cli

import (
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server"
)

// viaServerEnv, set to 1 in the environment of this test binary, makes
// every command these tests run go through a ceso server made for it.
const viaServerEnv = "CESO_TEST_VIA_SERVER"

func viaServer() bool { return os.Getenv(viaServerEnv) == "1" }

// notViaServer are the tests that say nothing through a server, and why.
var notViaServer = map[string]string{
	"TestVMListJSONAndSessionReuse": "the session cache and the log of its reuse are the server's",
	"TestDemo":                      "the demo starts its own host and server",
	// The server holds the ESXi credentials and its own session: the
	// client's password sources and session cache are not used.
	"TestWrongPasswordIsNoticedWithACachedSession": "the session and the password are the server's",
	"TestPasswordCommandRunsOnlyToLogIn":           "the session and the password are the server's",
	"TestBriefConfigBlock":                         "its security.ip_allowlist leaves out loopback, so the server rightly refuses the test's own address (403)",
}

// TestCommandsThroughServer runs this package's command tests a second
// time, in a child process, with every command sent through a ceso server
// on loopback (--server and --token-file, as CESO_SERVER and
// CESO_TOKEN_FILE): the same output and exit codes are expected.
func TestCommandsThroughServer(t *testing.T) {
	if viaServer() {
		t.Skip("this run is already through a server")
	}
	if testing.Short() {
		t.Skip("-short: the command tests run once")
	}
	args := []string{"-test.run", "^Test", "-test.skip", "^TestCommandsThroughServer$", "-test.count=1", "-test.timeout=20m"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), viaServerEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the command tests failed through a server: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("no PASS:\n%s", out)
	}
}

// runViaServer runs one command as run does, through a server started on
// an App made from the same environment (and --config), with a token of
// security.mode, and stopped after the command.
func (e *env) runViaServer(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	if why, skip := notViaServer[strings.Split(t.Name(), "/")[0]]; skip {
		t.Skip("through a server: " + why)
	}
	vars := map[string]string{}
	for k, v := range e.vars {
		vars[k] = v
	}
	url, tokenFile, stop := startServerFor(t, vars, args)
	defer stop()
	vars[ServerEnv], vars[TokenFileEnv] = url, tokenFile
	io, _, out, errOut := cmdutil.Test()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Run(ctx, args, io, func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	return code, out.String(), errOut.String()
}

// startServerFor starts a server for one command. When the configuration
// cannot be loaded, the command fails on it before any call: it gets the
// URL of no server.
func startServerFor(t *testing.T, vars map[string]string, args []string) (url, tokenFile string, stop func()) {
	t.Helper()
	token, sum, err := server.NewToken(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	configPath := ""
	for i, a := range args {
		if a == "--config" && i+1 < len(args) {
			configPath = args[i+1]
		}
	}
	env := config.MapEnv(vars)
	cfg, err := config.Load(configPath, env)
	if err == nil {
		cfg.Server.Listen, cfg.Server.ShutdownTimeout = "127.0.0.1:0", 100*time.Millisecond
		// A server lives for one command: its inventory cache would only add
		// sessions and calls the tests count.
		noCache := false
		cfg.Server.InventoryCache = &noCache
		cfg.Server.Tokens = []config.ServerToken{{Name: "cli-test", SHA256: sum, Mode: cfg.Security.Mode}}
		err = cfg.Validate(false)
	}
	if err != nil {
		return "http://127.0.0.1:1", tokenFile, func() {}
	}
	a, err := app.New(app.Options{Config: cfg, Env: env, Version: cmdutil.ReadBuild().Version})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{App: a})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv.URL(), tokenFile, func() {
		_ = srv.Shutdown(context.Background())
		_ = a.Close(context.Background())
	}
}
