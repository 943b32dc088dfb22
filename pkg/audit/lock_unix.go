//go:build unix

package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockPath is the file whose flock serialises the writers of the log at
// logPath across processes. It is separate from the log because the log is
// renamed on rotation while writers wait.
func lockPath(logPath string) string { return logPath + ".lock" }

// lock takes the exclusive flock of the log, waiting until ctx is done, and
// returns the function that releases it.
func lock(ctx context.Context, logPath string) (func(), error) {
	f, err := os.OpenFile(lockPath(logPath), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the audit lock: %w", err)
	}
	delay := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("locking the audit log: %w", err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = f.Close()
			return nil, fmt.Errorf("waiting for the audit lock held by another ceso: %w", ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}
