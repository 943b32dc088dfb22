package storagetest

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/ceso/ceso/internal/storage"
)

// Open opens a new catalog in a temporary directory. When the test ends it
// closes the catalog, opens the file again and fails the test if bbolt's
// consistency check finds a fault. The test may close the catalog itself.
func Open(tb testing.TB, opts ...storage.Option) *storage.Catalog {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "catalog.db")
	c, err := storage.InitCatalog(path, opts...)
	if err != nil {
		tb.Fatalf("opening catalog: %v", err)
	}
	tb.Cleanup(func() { CloseAndCheck(tb, c) })
	return c
}

// CloseAndCheck closes c, reopens its file and runs the consistency check.
func CloseAndCheck(tb testing.TB, c *storage.Catalog) {
	tb.Helper()
	if err := c.Close(); err != nil {
		tb.Errorf("closing catalog: %v", err)
	}
	again, err := storage.InitCatalog(c.Path(), storage.WithLockTimeout(5*time.Second))
	if err != nil {
		tb.Errorf("reopening catalog for its check: %v", err)
		return
	}
	defer again.Close()
	if err := again.Check(); err != nil {
		tb.Errorf("catalog check: %v", err)
	}
}

// Entry returns a valid complete entry for vm taken at t, with an ID and a
// checksum derived from both.
func Entry(vm string, t time.Time) storage.Entry {
	id := t.UTC().Format("20060102T150405.000000000Z") + "-" + vm
	sum := sha256.Sum256([]byte(id))
	return storage.Entry{
		ID:        id,
		VMName:    vm,
		Timestamp: t.UTC(),
		Size:      1 << 30,
		Target:    "local",
		Location:  "local:" + vm + "/" + id,
		Checksum:  hex.EncodeToString(sum[:]),
		Status:    storage.StatusComplete,
		Metadata:  map[string]string{"ceso_version": "test"},
	}
}
