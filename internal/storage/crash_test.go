package storage_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
)

// TestKilledWriter kills a process in the middle of a stream of commits, three
// times over, and checks after each kill that the file is consistent, that
// every commit the writer saw return is there, and that every entry present
// is whole.
func TestKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	path := filepath.Join(t.TempDir(), "catalog.db")
	next := 0
	for round, batch := range []int{60, 25, 90} {
		t.Run(fmt.Sprintf("round %d", round+1), func(t *testing.T) {
			cmd, _, out := child(t, "write", path, fmt.Sprintf("%s=%d", childFromEnv, next))
			last := -1
			for last < next+batch && out.Scan() {
				n, err := strconv.Atoi(out.Text())
				if err != nil {
					t.Fatalf("child said %q", out.Text())
				}
				last = n
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if last < next+batch {
				t.Fatalf("child stopped after entry %d: %v", last, out.Err())
			}

			c, err := storage.InitCatalog(path, storage.WithLockTimeout(5*time.Second))
			if err != nil {
				t.Fatalf("reopening after the kill: %v", err)
			}
			defer c.Close()
			if err := c.Check(); err != nil {
				t.Fatalf("after the kill: %v", err)
			}
			list, err := c.ListBackups("")
			if err != nil {
				t.Fatal(err)
			}
			if len(list) < last+1 {
				t.Fatalf("%d entries after the kill, but %d commits returned", len(list), last+1)
			}
			for _, e := range list {
				var i int
				if _, err := fmt.Sscanf(e.ID, "crash-%06d", &i); err != nil {
					t.Fatalf("unexpected entry %q", e.ID)
				}
				want := numbered(i)
				if !reflect.DeepEqual(e, want) {
					t.Fatalf("entry %s is not whole:\n got %+v\nwant %+v", e.ID, e, want)
				}
			}
			next = len(list)
			t.Logf("killed after commit %d; %d entries in the catalog", last, len(list))
		})
	}
}
