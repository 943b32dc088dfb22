package storage_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
)

func TestLockHeldByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	cmd, stdin, out := child(t, "hold", path)
	if !out.Scan() || out.Text() != "ready" {
		t.Fatalf("child did not open the catalog: %q %v", out.Text(), out.Err())
	}

	tests := []struct {
		name    string
		opts    []storage.Option
		minWait time.Duration
		maxWait time.Duration
	}{
		{"short timeout", []storage.Option{storage.WithLockTimeout(300 * time.Millisecond)}, 200 * time.Millisecond, 1500 * time.Millisecond},
		{"no wait", []storage.Option{storage.WithLockTimeout(0)}, 0, 500 * time.Millisecond},
		{"default timeout", nil, storage.DefaultLockTimeout - 100*time.Millisecond, storage.DefaultLockTimeout + 1500*time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			c, err := storage.InitCatalog(path, tt.opts...)
			waited := time.Since(start)
			if err == nil {
				c.Close()
				t.Fatal("InitCatalog succeeded while another process holds the catalog")
			}
			if !errors.Is(err, storage.ErrLocked) {
				t.Fatalf("err = %v, want ErrLocked", err)
			}
			want := fmt.Sprintf("catalog is in use by another ceso (pid %d)", cmd.Process.Pid)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("err = %q, want it to contain %q", err, want)
			}
			var le *storage.LockedError
			if !errors.As(err, &le) || le.PID != cmd.Process.Pid || le.Path != path {
				t.Errorf("LockedError = %+v, want pid %d path %s", le, cmd.Process.Pid, path)
			}
			if waited < tt.minWait || waited > tt.maxWait {
				t.Errorf("waited %v, want between %v and %v", waited, tt.minWait, tt.maxWait)
			}
		})
	}

	// Once the holder closes, the catalog opens and names this process.
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if _, err := os.Stat(path + ".pid"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left behind by a clean close: %v", err)
	}
	c, err := storage.InitCatalog(path, storage.WithLockTimeout(time.Second))
	if err != nil {
		t.Fatalf("reopening after the holder left: %v", err)
	}
	data, err := os.ReadFile(path + ".pid")
	if err != nil || strings.TrimSpace(string(data)) != fmt.Sprint(os.Getpid()) {
		t.Errorf("pid file = %q, %v; want %d", data, err, os.Getpid())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLockedErrorWithoutPID(t *testing.T) {
	err := &storage.LockedError{Path: "state/catalog.db"}
	want := "catalog is in use by another ceso (pid unknown): state/catalog.db; stop that process or wait for it to finish"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if !errors.Is(err, storage.ErrLocked) || errors.Is(err, storage.ErrNotFound) {
		t.Error("LockedError must match ErrLocked and nothing else")
	}
}

func TestLockInSameProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	first, err := storage.InitCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// A garbled pid file leaves the holder unknown, and says so.
	if err := os.WriteFile(path+".pid", []byte("not a pid"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = storage.InitCatalog(path, storage.WithLockTimeout(100*time.Millisecond))
	if !errors.Is(err, storage.ErrLocked) || !strings.Contains(err.Error(), "pid unknown") {
		t.Errorf("err = %v, want ErrLocked with pid unknown", err)
	}
}
