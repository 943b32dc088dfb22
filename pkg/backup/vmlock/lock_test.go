package vmlock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
)

func TestModes(t *testing.T) {
	tests := []struct {
		name        string
		first, next Mode
		busy        bool
	}{
		{"exclusive then exclusive", Exclusive, Exclusive, true},
		{"exclusive then shared", Exclusive, Shared, true},
		{"shared then exclusive", Shared, Exclusive, true},
		{"shared then shared", Shared, Shared, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			a, err := TryAcquire(dir, "web", tt.first, "backup")
			if err != nil {
				t.Fatal(err)
			}
			b, err := TryAcquire(dir, "web", tt.next, "verify")
			if got := errors.Is(err, ErrBusy); got != tt.busy {
				t.Fatalf("second acquire: err = %v, busy = %v, want %v", err, got, tt.busy)
			}
			if b != nil {
				_ = b.Release()
			}
			if err := a.Release(); err != nil {
				t.Fatal(err)
			}
			c, err := TryAcquire(dir, "web", Exclusive, "backup")
			if err != nil {
				t.Fatalf("after release: %v", err)
			}
			_ = c.Release()
		})
	}
}

func TestBusyErrorNamesHolder(t *testing.T) {
	dir := t.TempDir()
	a, err := TryAcquire(dir, "web 1", Exclusive, "backup")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	_, err = TryAcquire(dir, "web 1", Shared, "restore")
	var be *BusyError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *BusyError", err)
	}
	want := "pid " + itoa(os.Getpid()) + ": backup"
	if be.Holder != want || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `"web 1"`) {
		t.Errorf("error %q, holder %q; want holder %q", err, be.Holder, want)
	}
	if errkind.Of(err) != errkind.Refused {
		t.Errorf("kind = %v", errkind.Of(err))
	}
}

func TestOtherVMsAreIndependent(t *testing.T) {
	dir := t.TempDir()
	a, err := TryAcquire(dir, "web", Exclusive, "backup")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	for _, vm := range []string{"db", "web ", "Web", "web/1"} {
		b, err := TryAcquire(dir, vm, Exclusive, "backup")
		if err != nil {
			t.Fatalf("%q: %v", vm, err)
		}
		_ = b.Release()
	}
}

func TestFileName(t *testing.T) {
	dir := "locks"
	a, b := FileName(dir, "web/1"), FileName(dir, "web_1")
	if a == b {
		t.Fatalf("%q and %q share a lock file", "web/1", "web_1")
	}
	if filepath.Dir(a) != dir || !strings.HasPrefix(filepath.Base(a), "web_1-") || !strings.HasSuffix(a, ".lock") {
		t.Errorf("FileName = %q", a)
	}
	long := FileName(dir, strings.Repeat("x", 300))
	if len(filepath.Base(long)) > 80 {
		t.Errorf("long name gives %d bytes", len(filepath.Base(long)))
	}
}

func TestReleaseTwice(t *testing.T) {
	l, err := TryAcquire(t.TempDir(), "web", Exclusive, "backup")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestNoDirectory(t *testing.T) {
	if _, err := TryAcquire("", "web", Exclusive, "backup"); err == nil {
		t.Fatal("no error without a directory")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := TryAcquire(filepath.Join(file, "sub"), "web", Exclusive, "backup"); err == nil {
		t.Fatal("no error with a file as directory")
	}
}

// TestAcrossProcesses holds the lock in a child process and checks that
// this process is refused, then that the lock is free once the child is
// killed.
func TestAcrossProcesses(t *testing.T) {
	if os.Getenv("VMLOCK_CHILD_DIR") != "" {
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildHolds$")
	cmd.Env = append(os.Environ(), "VMLOCK_CHILD_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := stdout.Read(buf) // the child prints "held" once it has the lock
	if !strings.Contains(string(buf[:n]), "held") {
		_ = cmd.Process.Kill()
		t.Fatalf("child said %q", buf[:n])
	}
	_, err = TryAcquire(dir, "web", Exclusive, "backup")
	var be *BusyError
	if !errors.As(err, &be) || !strings.HasPrefix(be.Holder, "pid "+itoa(cmd.Process.Pid)) {
		t.Errorf("while the child holds it: %v", err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	l, err := TryAcquire(dir, "web", Exclusive, "backup")
	if err != nil {
		t.Fatalf("after the child died: %v", err)
	}
	_ = l.Release()
}

func TestChildHolds(t *testing.T) {
	dir := os.Getenv("VMLOCK_CHILD_DIR")
	if dir == "" {
		t.Skip("run by TestAcrossProcesses")
	}
	if _, err := TryAcquire(dir, "web", Exclusive, "backup"); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("held\n")
	time.Sleep(time.Minute)
}

func itoa(n int) string { return strconv.Itoa(n) }
