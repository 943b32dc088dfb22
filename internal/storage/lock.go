package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// The pid file beside the catalog names the process holding its lock. It is
// written only by the holder, after the lock is taken, and read only to word
// the error of a process that could not take it.

func pidPath(path string) string { return path + ".pid" }

// writePID records this process as the holder. The file is written aside and
// renamed, so a reader never sees half a number.
func writePID(path string) error {
	tmp := fmt.Sprintf("%s.%d.tmp", pidPath(path), os.Getpid())
	data := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("recording catalog holder: %w", err)
	}
	if err := os.Rename(tmp, pidPath(path)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("recording catalog holder: %w", err)
	}
	return nil
}

// readPID returns the recorded holder, or 0 when there is none to read.
func readPID(path string) int {
	data, err := os.ReadFile(pidPath(path))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

func removePID(path string) error {
	if err := os.Remove(pidPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing catalog pid file: %w", err)
	}
	return nil
}
