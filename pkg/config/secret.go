package config

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ResolvePassword returns the ESXi password from, in order, the value already
// set (config or ESXI_PASSWORD), password_file, or password_command.
func (e ESXi) ResolvePassword(ctx context.Context) (string, error) {
	return resolveSecret(ctx, e.Password, e.PasswordFile, e.PasswordCommand, "esxi")
}

// ResolvePassword returns the SSH password, if one is configured ("" when
// key authentication is meant).
func (s SSH) ResolvePassword(ctx context.Context) (string, error) {
	return resolveSecret(ctx, "", s.PasswordFile, s.PasswordCommand, "ssh")
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
// Its stderr is shown in the error, its stdout never.
func runSecretCommand(ctx context.Context, command, key string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return "", fmt.Errorf("%w: %s: %v: %s", ErrSecret, key, err, msg)
	}
	secret, _, _ := strings.Cut(stdout.String(), "\n")
	secret = strings.TrimRight(secret, "\r")
	if secret == "" {
		return "", fmt.Errorf("%w: %s: the command printed nothing", ErrSecret, key)
	}
	return secret, nil
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
