package audit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestOpenKeyCreatesOnceAndReuses(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "audit.log")
	var wg sync.WaitGroup
	keys := make([]*Key, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Add(1)
		go func() { defer wg.Done(); keys[i], errs[i] = OpenKey(logPath) }()
	}
	wg.Wait()
	for i, k := range keys {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if k.HashSecret("x") != keys[0].HashSecret("x") {
			t.Fatal("concurrent openers got different keys")
		}
	}
	fi, err := os.Stat(KeyPath(logPath))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", fi.Mode(), err)
	}
	other, err := OpenKey(filepath.Join(t.TempDir(), "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if other.HashSecret("x") == keys[0].HashSecret("x") {
		t.Fatal("two installations share a key")
	}
}

func TestOpenKeyRefusesBadKeyFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"short", "abcd", 0o600, "64-digit hex"},
		{"not hex", strings.Repeat("zz", 32), 0o600, "64-digit hex"},
		{"empty", "", 0o600, "64-digit hex"},
		{"group readable", strings.Repeat("ab", 32), 0o640, "readable by other users"},
		{"world readable", strings.Repeat("ab", 32), 0o604, "readable by other users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "audit.log")
			if err := os.WriteFile(KeyPath(logPath), []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(KeyPath(logPath), tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := OpenKey(logPath)
			if !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrKey saying %q", err, tt.want)
			}
		})
	}
	// A key with a trailing newline (written by hand) is accepted.
	logPath := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(KeyPath(logPath), []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKey(logPath); err != nil {
		t.Fatal(err)
	}
	// A key that cannot be created is an error naming it.
	if _, err := OpenKey(filepath.Join(t.TempDir(), "missing-dir", "audit.log")); !errors.Is(err, ErrKey) {
		t.Fatalf("got %v, want ErrKey", err)
	}
}

func TestHashSecret(t *testing.T) {
	k := &Key{k: []byte("0123456789abcdef0123456789abcdef")}
	h := k.HashSecret("hunter2")
	// HMAC-SHA256("0123456789abcdef0123456789abcdef", "hunter2"), computed
	// independently with: printf hunter2 | openssl dgst -sha256 -hmac KEY
	const want = "hmac-sha256:3920d54ec70f500ee54e1da041d2364a8e57dd252f7a81ed8acd58ad6cf3b6d0"
	if h != want {
		t.Fatalf("HashSecret = %q, want %q", h, want)
	}
	if h != k.HashSecret("hunter2") || h == k.HashSecret("hunter3") {
		t.Fatal("HashSecret must be a function of the value")
	}
}
