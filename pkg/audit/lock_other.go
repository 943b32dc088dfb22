//go:build !unix

package audit

import (
	"context"
	"fmt"
	"os"
)

func lockPath(logPath string) string { return logPath + ".lock" }

// lock opens the lock file only: on systems without flock, writers are
// serialised within one process (Log.mu) but not across processes.
func lock(ctx context.Context, logPath string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(lockPath(logPath), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the audit lock: %w", err)
	}
	return func() { _ = f.Close() }, nil
}
