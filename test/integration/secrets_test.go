//go:build !integration

package integration

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cli"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/esxishell"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	gossh "golang.org/x/crypto/ssh"
)

// knownPassword is the ESXi password of the session below: long enough
// that finding it anywhere is no accident.
const knownPassword = "Kn0wn-ESXi-Passw0rd-4f7d1c9e"

// TestNoSecretLeaks runs a whole session of commands against a free-licence
// host, the ESXi password read from a systemd credential and the SSH
// fallback logging in with a private key, then looks for the password and
// the key material in every output stream, the diagnostic log (debug
// level), the commands the host's shell ran, and every file ceso wrote under
// HOME and the state directory: the audit log and its key, the session
// cache, the backup catalog, the local backups, the sandbox state.
func TestNoSecretLeaks(t *testing.T) {
	h := startKeyHost(t)
	home, creds := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(creds, "esxi-password"), []byte(knownPassword+"\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	known := filepath.Join(home, ".config", "ceso", "known_hosts")
	if err := os.MkdirAll(filepath.Dir(known), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.WriteKnownHosts(known); err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(h.srv.Addr(), ":")
	yaml := "esxi:\n  password_file: '%d/esxi-password'\n" +
		"ssh:\n  port: " + port + "\n  key_file: " + h.keyFile + "\n  known_hosts: " + known + "\n" +
		"security:\n  mode: unrestricted\n"
	if err := os.WriteFile(filepath.Join(home, ".config", "ceso", "config.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": home, "CREDENTIALS_DIRECTORY": creds, "ESXI_HOST": h.sim.Host(),
		"ESXI_USER": h.sim.User(), "ESXI_THUMBPRINT": h.sim.Thumbprint()}
	streams := runSession(t, vars)

	var methods []string
	for _, l := range h.srv.Logins() {
		methods = append(methods, l.Method)
	}
	if len(methods) == 0 || strings.Join(methods, ",") != strings.Repeat("publickey,", len(methods)-1)+"publickey" {
		t.Fatalf("the SSH fallback logged in with %v, want the key", methods)
	}
	needles := secretNeedles(t, h.keyFile)
	look(t, needles, "the output streams and the log", streams)
	look(t, needles, "the host's shell commands", []byte(strings.Join(h.shell.Commands(), "\n")))
	files := 0
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		look(t, needles, p, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"audit.log", "audit.log.key", "catalog.db"} {
		if _, err := os.Stat(filepath.Join(home, ".local", "share", "ceso", want)); err != nil {
			t.Errorf("the session wrote no %s: %v", want, err)
		}
	}
	if sessions, _ := filepath.Glob(filepath.Join(home, ".local", "share", "ceso", "sessions", "*")); len(sessions) == 0 || files < 6 {
		t.Errorf("%d files, sessions %v: the session did not write what it should", files, sessions)
	}
}

// keyHost is a free-licence host with the known password whose SSH
// service takes one client key.
type keyHost struct {
	sim     *esxisim.Simulator
	shell   *esxishell.Shell
	srv     *sshtest.Server
	keyFile string
}

func startKeyHost(t *testing.T) *keyHost {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := esxisim.Start(ctx, esxisim.Options{FreeLicence: true, TemplateDiskSize: 1 << 20, AutoGuest: true, Password: knownPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	shell, err := esxishell.New(ctx, sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shell.Close() })
	keyFile, pub := sshtest.NewClientKey(t)
	srv := sshtest.New(t, sshtest.Options{AuthorizedKeys: []gossh.PublicKey{pub}, Handler: shell})
	return &keyHost{sim: sim, shell: shell, srv: srv, keyFile: keyFile}
}

// runSession runs the commands of a working session, with diagnostics at
// debug level, and returns everything they printed.
func runSession(t *testing.T, vars map[string]string) []byte {
	t.Helper()
	var streams bytes.Buffer
	run := func(want int, args ...string) {
		t.Helper()
		io, _, out, errOut := cmdutil.Test()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		code := cli.Run(ctx, append([]string{"--log-level", "debug"}, args...), io, func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
		streams.Write(out.Bytes())
		streams.Write(errOut.Bytes())
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, code, want, out, errOut)
		}
	}
	tmpl := esxisim.TemplateName
	run(0, "config", "show")
	run(0, "config", "show", "--json")
	run(0, "config", "validate", "--secrets")
	run(0, "vm", "list", "--json")
	run(0, "vm", "create", "web01", "--template", tmpl, "--dhcp", "--dry-run")
	run(0, "vm", "create", "web01", "--template", tmpl, "--ip", "192.0.2.40/24", "--gateway", "192.0.2.1", "--power-on", "--wait-ip", "1m")
	run(0, "vm", "info", "web01", "--json")
	run(0, "vm", "power", "off", "web01")
	run(0, "vm", "clone", "web01", "web02")
	run(0, "backup", "create", "web02")
	run(0, "backup", "list", "--json")
	run(0, "cloudinit", "render", "web03")
	run(cmdutil.ExitNotFound, "vm", "info", "ghost")
	run(0, "vm", "delete", "web02", "--yes")
	run(0, "--mode", "restricted", "vm", "delete", "web01", "--yes", "--dry-run")
	run(cmdutil.ExitRefused, "--mode", "restricted", "vm", "delete", "web01", "--yes")
	run(0, "audit", "verify")
	run(0, "audit", "checkpoint")
	run(0, "vm", "delete", "web01", "--force", "--yes")
	// A wrong password is refused without being echoed either.
	vars["ESXI_PASSWORD"] = knownPassword + "-wrong"
	run(cmdutil.ExitConnection, "--no-session-cache", "vm", "list")
	delete(vars, "ESXI_PASSWORD")
	return streams.Bytes()
}

// look fails the test for every needle found in data.
func look(t *testing.T, needles []needle, where string, data []byte) {
	t.Helper()
	for _, n := range needles {
		if bytes.Contains(data, n.value) {
			t.Errorf("%s holds %s", where, n.name)
		}
	}
}

type needle struct {
	name  string
	value []byte
}

// secretNeedles are the password and the private key in every form it could
// leak in: each line of its PEM body and its raw bytes.
func secretNeedles(t *testing.T, keyFile string) []needle {
	t.Helper()
	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	out := []needle{{"the ESXi password", []byte(knownPassword)}}
	for i, line := range strings.Split(string(data), "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			out = append(out, needle{fmt.Sprintf("line %d of the SSH private key", i+1), []byte(line)})
		}
	}
	raw, err := gossh.ParseRawPrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	switch k := raw.(type) {
	case ed25519.PrivateKey:
		out = append(out, needle{"the raw SSH private key", k.Seed()})
	case *ed25519.PrivateKey:
		out = append(out, needle{"the raw SSH private key", k.Seed()})
	default:
		t.Fatalf("key type %T", raw)
	}
	return out
}
