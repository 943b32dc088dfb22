package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/retention"
)

// DefaultCatalogWait is how long a FileCatalog call waits for another
// process to release the catalog.
const DefaultCatalogWait = 30 * time.Second

// FileCatalog is a Catalog that opens the catalog file for each call and
// closes it after, so a backup that runs for hours holds the catalog's
// lock only for the instants it reads or writes it, and other ceso
// processes (a list, another VM's backup) can use it meanwhile.
type FileCatalog struct {
	// Path is the catalog file.
	Path string
	// Wait bounds the wait for the catalog's lock (DefaultCatalogWait when
	// 0).
	Wait time.Duration
}

var _ Catalog = FileCatalog{}

// missing reports whether the catalog file does not exist yet: reads then
// find nothing instead of creating it, so a read never changes the state
// directory.
func (f FileCatalog) missing() bool {
	_, err := os.Stat(f.Path)
	return errors.Is(err, fs.ErrNotExist)
}

func (f FileCatalog) with(fn func(*storage.Catalog) error) error {
	wait := f.Wait
	if wait == 0 {
		wait = DefaultCatalogWait
	}
	c, err := storage.InitCatalog(f.Path, storage.WithLockTimeout(wait))
	if err != nil {
		return err
	}
	err = fn(c)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// AddBackup implements Catalog.
func (f FileCatalog) AddBackup(e storage.Entry) error {
	return f.with(func(c *storage.Catalog) error { return c.AddBackup(e) })
}

// GetBackup implements Catalog.
func (f FileCatalog) GetBackup(id string) (e storage.Entry, err error) {
	if f.missing() {
		return e, fmt.Errorf("%w: %s (the catalog %s is empty)", storage.ErrNotFound, id, f.Path)
	}
	err = f.with(func(c *storage.Catalog) error { e, err = c.GetBackup(id); return err })
	return e, err
}

// ListBackups implements Catalog.
func (f FileCatalog) ListBackups(vmName string) (list []storage.Entry, err error) {
	if f.missing() {
		return []storage.Entry{}, nil
	}
	err = f.with(func(c *storage.Catalog) error { list, err = c.ListBackups(vmName); return err })
	return list, err
}

// DeleteBackup implements Catalog.
func (f FileCatalog) DeleteBackup(id string) error {
	return f.with(func(c *storage.Catalog) error { return c.DeleteBackup(id) })
}

// SetStatus implements Catalog.
func (f FileCatalog) SetStatus(id string, s storage.Status) error {
	return f.with(func(c *storage.Catalog) error { return c.SetStatus(id, s) })
}

// UpdateVerification implements Catalog.
func (f FileCatalog) UpdateVerification(id string, ok bool, at time.Time, detail string) error {
	return f.with(func(c *storage.Catalog) error { return c.UpdateVerification(id, ok, at, detail) })
}

// ApplyRetention implements Catalog.
func (f FileCatalog) ApplyRetention(p retention.Policy, vmName string) (ds []retention.Decision, err error) {
	if f.missing() {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("applying retention: %w", err)
		}
		return []retention.Decision{}, nil
	}
	err = f.with(func(c *storage.Catalog) error { ds, err = c.ApplyRetention(p, vmName); return err })
	return ds, err
}
