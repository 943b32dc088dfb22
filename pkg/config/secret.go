package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// ResolvePassword returns the ESXi password from, in order, the value already
// set (config or ESXI_PASSWORD), password_file, or password_command.
func (e ESXi) ResolvePassword(ctx context.Context) (string, error) {
	return resolveSecret(ctx, e.Password, e.PasswordFile, e.PasswordCommand, "esxi")
}

// ResolvePassword returns the SSH password, if one is configured ("" when
// key authentication is meant): ESXI_SSH_PASSWORD, password_file or
// password_command.
func (s SSH) ResolvePassword(ctx context.Context) (string, error) {
	return resolveSecret(ctx, s.Password, s.PasswordFile, s.PasswordCommand, "ssh")
}

func resolveSecret(ctx context.Context, value, file, command, section string) (string, error) {
	switch {
	case value != "":
		return value, nil
	case file != "":
		return readSecretFile(ExpandHome(file), section+".password_file")
	case command != "":
		return runSecretCommand(ctx, command, section+".password_command")
	}
	return "", nil
}

// readSecretFile reads a password file, refusing one that others can read.
func readSecretFile(path, key string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrSecret, key, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%w: %s: %s is readable by group or others (mode %04o); run: chmod 600 %s",
			ErrSecret, key, path, fi.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrSecret, key, err)
	}
	secret := strings.TrimRight(string(data), "\r\n")
	if secret == "" {
		return "", fmt.Errorf("%w: %s: %s is empty", ErrSecret, key, path)
	}
	return secret, nil
}

// runSecretCommand runs command with sh -c and takes its first output line.
// Its stdout is never shown; when it fails, the error shows its exit status
// and at most the first line of its stderr, scrubbed (see scrubLine).
func runSecretCommand(ctx context.Context, command, key string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		detail := exitStatus(ctx, err)
		if line := scrubLine(stderr.String(), stdout.String()); line != "" {
			detail += "; its first line of error output: " + strconv.Quote(line)
		}
		return "", fmt.Errorf("%w: %s: the command failed (%s)", ErrSecret, key, detail)
	}
	secret, _, _ := strings.Cut(stdout.String(), "\n")
	secret = strings.TrimRight(secret, "\r")
	if secret == "" {
		return "", fmt.Errorf("%w: %s: the command printed nothing", ErrSecret, key)
	}
	return secret, nil
}

// exitStatus describes how a command ended: "exit status 3", "killed by
// signal 9", "timed out after 30s", or why it did not start.
func exitStatus(ctx context.Context, err error) string {
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "timed out after 30s"
	case errors.As(err, &ee):
		if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			return fmt.Sprintf("killed by signal %d", st.Signal())
		}
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	}
	return "it did not start: " + err.Error()
}

// maxErrLine bounds the part of a failing command's error output shown.
const maxErrLine = 80

// scrubLine returns the first non-blank line of stderr, without control
// characters, cut to maxErrLine characters, with anything the command
// printed on stdout (perhaps the password) masked.
func scrubLine(stderr, stdout string) string {
	var line string
	for l := range strings.SplitSeq(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = l
			break
		}
	}
	for out := range strings.SplitSeq(stdout, "\n") {
		if out = strings.TrimSpace(out); len(out) >= 4 {
			line = strings.ReplaceAll(line, out, "********")
		}
	}
	line = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, line)
	if r := []rune(line); len(r) > maxErrLine {
		line = string(r[:maxErrLine]) + "…"
	}
	return line
}

// ExpandHome replaces a leading ~/ with the user's home directory.
func ExpandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}
