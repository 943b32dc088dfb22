package storage_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
	"github.com/ceso/ceso/pkg/backup/retention"
)

// rawUpdate changes a catalog file behind the package's back.
func rawUpdate(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestInitCatalog(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a bbolt file ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{"new file in new directories", filepath.Join(dir, "state", "ceso", "catalog.db"), ""},
		{"empty path", "", "no path given"},
		{"parent is a file", filepath.Join(notDir, "catalog.db"), "creating catalog directory"},
		{"not a catalog", garbage, "opening catalog " + garbage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := storage.InitCatalog(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("InitCatalog() = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer storagetest.CloseAndCheck(t, c)
			if c.Path() != tt.path {
				t.Errorf("Path() = %q, want %q", c.Path(), tt.path)
			}
		})
	}
}

func TestFileModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "catalog.db")
	c, err := storage.InitCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{path, 0o600},
		{path + ".pid", 0o600},
		{filepath.Dir(path), 0o700 | os.ModeDir},
		{filepath.Dir(filepath.Dir(path)), 0o700 | os.ModeDir},
	} {
		fi, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != f.mode {
			t.Errorf("%s has mode %v, want %v", filepath.Base(f.path), fi.Mode(), f.mode)
		}
	}
}

func TestReopenKeepsEntries(t *testing.T) {
	c := storagetest.Open(t)
	e := storagetest.Entry("vm01", t0)
	if err := c.AddBackup(e); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := storage.InitCatalog(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got, err := again.GetBackup(e.ID); err != nil || got.ID != e.ID {
		t.Errorf("after reopening GetBackup = %+v, %v", got, err)
	}
}

func TestClosedCatalog(t *testing.T) {
	c := storagetest.Open(t)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	e := storagetest.Entry("vm01", t0)
	calls := map[string]func() error{
		"AddBackup":          func() error { return c.AddBackup(e) },
		"GetBackup":          func() error { _, err := c.GetBackup(e.ID); return err },
		"ListBackups":        func() error { _, err := c.ListBackups(""); return err },
		"DeleteBackup":       func() error { return c.DeleteBackup(e.ID) },
		"SetStatus":          func() error { return c.SetStatus(e.ID, storage.StatusFailed) },
		"UpdateVerification": func() error { return c.UpdateVerification(e.ID, true, t0, "") },
		"Check":              c.Check,
		"ApplyRetention": func() error {
			_, err := c.ApplyRetention(retention.Policy{KeepLast: 1}, "")
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, storage.ErrClosed) {
				t.Errorf("%s after Close = %v, want ErrClosed", name, err)
			}
		})
	}
}

func TestCorruptRecords(t *testing.T) {
	c := storagetest.Open(t)
	good := storagetest.Entry("vm01", t0)
	if err := c.AddBackup(good); err != nil {
		t.Fatal(err)
	}
	path := c.Path()
	c.Close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("backups"))
		if err := b.Put([]byte("broken"), []byte("{not json")); err != nil {
			return err
		}
		return b.Put([]byte("moved"), []byte(`{"id":"elsewhere"}`))
	})
	c, err := storage.InitCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	tests := []struct {
		name string
		call func() error
	}{
		{"get broken", func() error { _, err := c.GetBackup("broken"); return err }},
		{"get moved", func() error { _, err := c.GetBackup("moved"); return err }},
		{"list", func() error { _, err := c.ListBackups("vm01"); return err }},
		{"set status", func() error { return c.SetStatus("broken", storage.StatusFailed) }},
		{"retention", func() error { _, err := c.ApplyRetention(retention.Policy{KeepLast: 1}, ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, storage.ErrCorrupt) {
				t.Errorf("err = %v, want ErrCorrupt", err)
			}
		})
	}
	// The good entry is still readable, and a broken one can be removed.
	if _, err := c.GetBackup(good.ID); err != nil {
		t.Errorf("GetBackup(good) = %v", err)
	}
	if err := c.DeleteBackup("broken"); err != nil {
		t.Errorf("DeleteBackup(broken) = %v", err)
	}
}

func TestCheck(t *testing.T) {
	c := storagetest.Open(t)
	for i := range 120 {
		if err := c.AddBackup(numbered(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 120; i += 3 {
		if err := c.DeleteBackup(numbered(i).ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Check(); err != nil {
		t.Errorf("Check() on a sound catalog = %v", err)
	}
}

// TestCheckFindsDamage damages the pages holding entries and expects Check to
// say so.
func TestCheckFindsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := storage.InitCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if err := c.AddBackup(numbered(i)); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const leafFlag = 0x02
	pageSize := os.Getpagesize()
	damaged := 0
	for off := 2 * pageSize; off+pageSize <= len(data); off += pageSize {
		page := data[off : off+pageSize]
		if page[8] == leafFlag && page[9] == 0 && strings.Contains(string(page), "crash-") {
			page[8] = 0x40 // no such page type
			damaged++
		}
	}
	if damaged == 0 {
		t.Fatal("found no leaf page to damage")
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}

	c, err = storage.InitCatalog(path)
	if err != nil {
		t.Fatalf("the damage should not stop the catalog from opening: %v", err)
	}
	defer c.Close()
	err = c.Check()
	if err == nil || !strings.Contains(err.Error(), "is inconsistent") {
		t.Errorf("Check() = %v, want the damage reported", err)
	}
	t.Logf("damaged %d pages; Check: %v", damaged, err)
}
