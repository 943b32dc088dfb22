package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/esxishell"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
)

// serveShell serves the simulated ESXi shell over SSH on 127.0.0.1 (port 0:
// a free one), as a free-licence host's sshd with SSH enabled does: root
// logs in with the host's password, by keyboard-interactive as on ESXi. It
// returns the ESXI_SSH_* export lines, with a known_hosts file that trusts
// the server's key, and a function that stops it and removes that file.
func serveShell(ctx context.Context, sim *esxisim.Simulator, port int) (string, func(), error) {
	shell, err := esxishell.New(ctx, sim)
	if err != nil {
		return "", nil, fmt.Errorf("starting the simulated shell: %w", err)
	}
	srv, err := sshtest.Start(sshtest.Options{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), User: sim.User(), Password: sim.Password(),
		KeyboardInteractiveOnly: true, Handler: shell,
	})
	if err != nil {
		_ = shell.Close()
		return "", nil, fmt.Errorf("serving the simulated shell over SSH: %w", err)
	}
	dir, err := os.MkdirTemp("", "ceso-simulator-ssh-")
	known := filepath.Join(dir, "known_hosts")
	if err == nil {
		err = srv.WriteKnownHosts(known)
	}
	stop := func() {
		_ = srv.Close()
		_ = shell.Close()
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
	}
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("writing the SSH known_hosts file: %w", err)
	}
	_, sshPort, _ := net.SplitHostPort(srv.Addr())
	return exportLines("ESXI_SSH_PORT", sshPort, "ESXI_SSH_USER", sim.User(), "ESXI_SSH_PASSWORD", sim.Password(),
		"ESXI_SSH_KNOWN_HOSTS", known), stop, nil
}

// exportLines renders name, value pairs as shell export lines; a value
// with characters a shell would interpret is single-quoted.
func exportLines(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, "export %s=%s\n", kv[i], shellWord(kv[i+1]))
	}
	return b.String()
}

func shellWord(s string) string {
	safe := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:@%+=,-", r))
	}) < 0
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeEnvFile writes the export lines (mode 0600) so that a reader never
// sees a part of them: to a temporary file renamed into place.
func writeEnvFile(path, env string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ceso-env-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, err = tmp.WriteString(env)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
