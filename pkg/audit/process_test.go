//go:build unix

package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestChildWriter is not a test: run by the tests below as a separate
// process, it appends CESO_AUDIT_N records to the log at CESO_AUDIT_PATH and
// prints the error of the first failure.
func TestChildWriter(t *testing.T) {
	path := os.Getenv("CESO_AUDIT_PATH")
	if path == "" {
		t.Skip("run as a child process only")
	}
	n, _ := strconv.Atoi(os.Getenv("CESO_AUDIT_N"))
	l, err := OpenWith(path, Options{Actor: &testActor, MaxSize: 8192})
	if err == nil {
		for i := range n {
			if err = l.Append(context.Background(), rec(i)); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Println("append failed:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

func childWriter(bin, path string, n int) *exec.Cmd {
	cmd := exec.Command(bin, "-test.run=^TestChildWriter$")
	cmd.Env = append(os.Environ(), "CESO_AUDIT_PATH="+path, "CESO_AUDIT_N="+strconv.Itoa(n))
	return cmd
}

func TestWritersInSeveralProcessesKeepOneChain(t *testing.T) {
	l, path := newLog(t, Options{MaxSize: 8192})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	outs := make([][]byte, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = childWriter(os.Args[0], path, 40).CombinedOutput()
		}()
	}
	appendN(t, l, 40)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v: %s", i, err, outs[i])
		}
	}
	rep := mustVerify(t, path, nil)
	if rep.Records != 120 || len(rep.Files) < 2 {
		t.Fatalf("%d records in %d files, want 120 in several", rep.Records, len(rep.Files))
	}
}

func TestAnotherUserCannotAppend(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a process as another user")
	}
	// A directory every user can enter holding root's 0600 log, and a copy
	// of this test binary every user can run.
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "audit.log")
	l, err := OpenWith(path, Options{Actor: &testActor})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, l, 1)
	// The key and the lock are nobody's; the log stays root's.
	for _, p := range []string{KeyPath(path), lockPath(path)} {
		if err := os.Chown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "audit.test")
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	cmd := childWriter(bin, path, 1)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || !strings.Contains(string(out), "open "+path+": permission denied") {
		t.Fatalf("as nobody: %v: %s", err, out)
	}
	if rep := mustVerify(t, path, nil); rep.Records != 1 {
		t.Fatalf("%+v", rep)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
