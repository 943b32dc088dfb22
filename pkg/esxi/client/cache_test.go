package client

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCachedSessionIsBoundToItsPassword: a cached session is reused only
// with the password it was made with, when the password is known without
// running anything; a password command is not run to reuse a session.
func TestCachedSessionIsBoundToItsPassword(t *testing.T) {
	h := startHost(t)
	cfg := h.config(t)
	cfg.SessionDir = t.TempDir()
	first, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_ = first.Close(context.Background())
	data, _ := os.ReadFile(sessionFile(cfg))
	if bytes.Contains(data, []byte(testPassword)) || !bytes.Contains(data, []byte(`"password_hmac":"`)) {
		t.Fatalf("cache file holds the password or no hash of it:\n%s", data)
	}
	if fi, err := os.Stat(filepath.Join(cfg.SessionDir, keyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}

	same, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil || !same.FromCache() {
		t.Fatalf("same password: fromCache=%v %v", same != nil && same.FromCache(), err)
	}
	_ = same.Close(context.Background())

	wrong := cfg
	wrong.Password = "not-the-password"
	if c, err := Connect(ctxTimeout(t, 10*time.Second), wrong); !errors.Is(err, ErrInvalidLogin) {
		if c != nil {
			_ = c.Close(context.Background())
		}
		t.Fatalf("a wrong password reused the cached session: %v", err)
	}

	calls := 0
	command := cfg
	command.Password = ""
	command.PasswordFunc = func(context.Context) (string, error) { calls++; return testPassword, nil }
	c, err := Connect(ctxTimeout(t, 10*time.Second), command)
	if err != nil || !c.FromCache() || calls != 0 {
		t.Fatalf("password command: fromCache=%v calls=%d %v", c != nil && c.FromCache(), calls, err)
	}
	_ = c.Close(context.Background())

	// A lost key makes the hash unverifiable: log in again, and cache anew.
	if err := os.Remove(filepath.Join(cfg.SessionDir, keyFile)); err != nil {
		t.Fatal(err)
	}
	again, err := Connect(ctxTimeout(t, 10*time.Second), cfg)
	if err != nil || again.FromCache() || again.Stats().Logins != 1 {
		t.Fatalf("without the key: %v", err)
	}
	defer again.Logout(context.Background())
}
