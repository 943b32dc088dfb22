package storage_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
)

// The tests that need a second process run this test binary again with
// childEnv set to the child's role and childPathEnv to the catalog.
const (
	childEnv     = "CESO_STORAGE_TEST_CHILD"
	childPathEnv = "CESO_STORAGE_TEST_PATH"
	childFromEnv = "CESO_STORAGE_TEST_FROM"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(childHold(os.Getenv(childPathEnv)))
	case "write":
		from, _ := strconv.Atoi(os.Getenv(childFromEnv))
		os.Exit(childWrite(os.Getenv(childPathEnv), from))
	default:
		fmt.Fprintln(os.Stderr, "unknown child role")
		os.Exit(2)
	}
}

// childHold opens the catalog, says "ready" and holds it until its stdin
// closes.
func childHold(path string) int {
	c, err := storage.InitCatalog(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// childWrite adds entries from number `from` on, printing each number once
// its commit returned, until it is killed.
func childWrite(path string, from int) int {
	c, err := storage.InitCatalog(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := from; ; i++ {
		if err := c.AddBackup(numbered(i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(i)
	}
}

// numbered is the i-th entry of the crash test: every field derives from i,
// and a 4 KiB metadata value makes each commit span several pages.
func numbered(i int) storage.Entry {
	id := fmt.Sprintf("crash-%06d", i)
	sum := sha256.Sum256([]byte(id))
	return storage.Entry{
		ID:        id,
		VMName:    fmt.Sprintf("vm%02d", i%7),
		Timestamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		Size:      int64(i) * 4096,
		Target:    "nas",
		Location:  "nas:backups/" + id,
		Checksum:  hex.EncodeToString(sum[:]),
		Status:    storage.StatusComplete,
		Metadata:  map[string]string{"n": strconv.Itoa(i), "pad": strings.Repeat(strconv.Itoa(i%10), 4096)},
	}
}

// child starts this test binary in the given role. Its stdout is read line
// by line through the returned scanner; closing stdin ends a "hold" child.
func child(t *testing.T, role, path string, extraEnv ...string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, childPathEnv+"="+path)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting child: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, stdin, bufio.NewScanner(stdout)
}
