package storagetest_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
)

func TestOpenClosesAndChecksAtCleanup(t *testing.T) {
	t.Run("user", func(t *testing.T) {
		_ = t.TempDir() // its removal is registered first, so it runs last
		var path string
		t.Cleanup(func() { // runs after Open's cleanup, before the removal
			if _, err := os.Stat(path + ".pid"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("catalog still held after Open's cleanup: %v", err)
			}
			c, err := storage.InitCatalog(path, storage.WithLockTimeout(0))
			if err != nil {
				t.Fatalf("catalog not released at cleanup: %v", err)
			}
			defer c.Close()
			if list, err := c.ListBackups("vm01"); err != nil || len(list) != 1 {
				t.Errorf("ListBackups = %v, %v; want the one entry", list, err)
			}
		})
		c := storagetest.Open(t)
		path = c.Path()
		if err := c.AddBackup(storagetest.Entry("vm01", time.Now())); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEntryIsValid(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	a := storagetest.Entry("vm01", time.Date(2026, 3, 29, 1, 0, 0, 0, berlin))
	b := storagetest.Entry("vm01", time.Date(2026, 3, 29, 1, 0, 0, 1, berlin))
	for _, e := range []storage.Entry{a, b} {
		if err := e.Validate(); err != nil {
			t.Errorf("Entry() = %+v: %v", e, err)
		}
	}
	if a.ID == b.ID || a.Checksum == b.Checksum {
		t.Error("entries of different times share an ID or checksum")
	}
}
