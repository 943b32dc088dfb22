package storage_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/internal/storage/storagetest"
)

// version0 writes a catalog as it was before schema versions: a "backups"
// bucket of JSON entries without status, and no "meta" bucket.
func version0(t *testing.T, records map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catalog.db")
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("backups"))
		if err != nil {
			return err
		}
		for k, v := range records {
			if err := b.Put([]byte(k), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	})
	return path
}

func schemaVersion(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v []byte
	_ = db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket([]byte("meta")); meta != nil {
			v = bytes.Clone(meta.Get([]byte("schema_version")))
		}
		return nil
	})
	return string(v)
}

const v0Entry = `{"id":"20250610T010000Z-1a2b3c4d","vm_name":"web01","timestamp":"2025-06-10T01:00:00Z",` +
	`"size":123456,"target":"nas","location":"nas:web01/20250610T010000Z-1a2b3c4d",` +
	`"checksum":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","metadata":{"esxi":"8.0.3"}}`

// v0WithStatus is a version-0 record that already has a status (some
// version-0 writers recorded failures); migration must keep it.
const v0WithStatus = `{"id":"20250611T010000Z-00000000","vm_name":"web01","timestamp":"2025-06-11T01:00:00Z",` +
	`"size":123456,"target":"nas","location":"nas:web01/20250611T010000Z-00000000",` +
	`"checksum":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","metadata":{"esxi":"8.0.3"},` +
	`"status":"failed"}`

func TestMigrateFromVersion0(t *testing.T) {
	path := version0(t, map[string]string{
		"20250610T010000Z-1a2b3c4d": v0Entry,
		"20250611T010000Z-00000000": v0WithStatus,
	})
	c, err := storage.InitCatalog(path)
	if err != nil {
		t.Fatalf("opening a version-0 catalog: %v", err)
	}
	tests := []struct {
		id   string
		want storage.Status
	}{
		{"20250610T010000Z-1a2b3c4d", storage.StatusComplete},
		{"20250611T010000Z-00000000", storage.StatusFailed}, // a status already there is kept
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			e, err := c.GetBackup(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if e.Status != tt.want || e.VMName != "web01" || e.Size != 123456 || e.Metadata["esxi"] != "8.0.3" {
				t.Errorf("migrated entry = %+v, want status %s and the old fields", e, tt.want)
			}
			if err := e.Validate(); err != nil {
				t.Errorf("migrated entry is invalid: %v", err)
			}
		})
	}
	storagetest.CloseAndCheck(t, c)
	if v := schemaVersion(t, path); v != "1" {
		t.Errorf("schema version after migration = %q, want 1", v)
	}
}

func TestMigrationFailureChangesNothing(t *testing.T) {
	path := version0(t, map[string]string{"a": v0Entry, "b": "[1,2]"})
	_, err := storage.InitCatalog(path)
	if !errors.Is(err, storage.ErrCorrupt) || !strings.Contains(err.Error(), "migrating catalog schema 0 to 1") {
		t.Fatalf("InitCatalog() = %v, want a migration error wrapping ErrCorrupt", err)
	}
	if v := schemaVersion(t, path); v != "" {
		t.Errorf("schema version = %q after a failed migration, want none", v)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if got := tx.Bucket([]byte("backups")).Get([]byte("a")); string(got) != v0Entry {
			t.Errorf("entry a changed by a failed migration: %s", got)
		}
		return nil
	})
}

func TestSchemaRefused(t *testing.T) {
	tests := []struct {
		name    string
		version []byte // nil: meta bucket without the key
		wantErr error
		wantMsg string
	}{
		{"newer", []byte("2"), storage.ErrSchemaTooNew, "schema version 2 and this ceso knows up to 1"},
		{"much newer", []byte("99"), storage.ErrSchemaTooNew, "version 99"},
		{"not a number", []byte("one"), storage.ErrCorrupt, `schema version "one"`},
		{"negative", []byte("-1"), storage.ErrCorrupt, "not a number"},
		{"missing", nil, storage.ErrCorrupt, "no schema version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "catalog.db")
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				meta, err := tx.CreateBucket([]byte("meta"))
				if err != nil {
					return err
				}
				if _, err := tx.CreateBucket([]byte("backups")); err != nil {
					return err
				}
				if tt.version == nil {
					return nil
				}
				return meta.Put([]byte("schema_version"), tt.version)
			})
			before, _ := os.ReadFile(path)
			_, err := storage.InitCatalog(path)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("InitCatalog() = %v, want %v mentioning %q", err, tt.wantErr, tt.wantMsg)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("a refused catalog was written to")
			}
			if _, err := os.Stat(path + ".pid"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("pid file left after a refused open: %v", err)
			}
			// The lock was released: the file opens at once.
			db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatalf("lock not released: %v", err)
			}
			db.Close()
		})
	}
}
