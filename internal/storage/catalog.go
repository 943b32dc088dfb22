package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long InitCatalog waits for another process to
// release the catalog.
const DefaultLockTimeout = 2 * time.Second

// Catalog is an open backup catalog. Its methods are safe for concurrent use.
type Catalog struct {
	db   *bolt.DB
	path string

	closeOnce sync.Once
	closeErr  error
}

type options struct {
	lockTimeout time.Duration
}

// Option changes how InitCatalog opens the catalog.
type Option func(*options)

// WithLockTimeout sets how long InitCatalog waits for the file lock. Zero or
// less means one attempt only.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) { o.lockTimeout = d }
}

// InitCatalog opens the catalog at path, creating the file (0600) and its
// directory (0700) when missing, and upgrading an older schema. It fails with
// a *LockedError when another process holds the catalog past the lock
// timeout, and with ErrSchemaTooNew when a newer ceso wrote the file.
func InitCatalog(path string, opts ...Option) (*Catalog, error) {
	o := options{lockTimeout: DefaultLockTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.lockTimeout <= 0 {
		o.lockTimeout = time.Nanosecond // bbolt reads 0 as "wait for ever"
	}
	if path == "" {
		return nil, errors.New("opening catalog: no path given")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating catalog directory: %w", err)
	}
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)

	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        o.lockTimeout,
		NoSync:         false, // every commit reaches the disk
		NoFreelistSync: false,
		NoGrowSync:     false,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, &LockedError{Path: path, PID: readPID(path)}
	}
	if err != nil {
		return nil, fmt.Errorf("opening catalog %s: %w", path, err)
	}
	if created {
		if err := syncDir(dir); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("creating catalog %s: %w", path, err)
		}
	}
	c := &Catalog{db: db, path: path}
	if err := writePID(path); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := c.upgrade(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("opening catalog %s: %w", path, err)
	}
	return c, nil
}

// Path returns the catalog file's path.
func (c *Catalog) Path() string { return c.path }

// Close releases the catalog. It removes the pid file while the lock is still
// held, so it never removes another holder's. Calling Close again does
// nothing and returns the first result.
func (c *Catalog) Close() error {
	c.closeOnce.Do(func() {
		pidErr := removePID(c.path)
		if err := c.db.Close(); err != nil {
			c.closeErr = fmt.Errorf("closing catalog %s: %w", c.path, err)
			return
		}
		c.closeErr = pidErr
	})
	return c.closeErr
}

// Check runs bbolt's consistency check over the whole file and returns every
// fault it finds, joined.
func (c *Catalog) Check() error {
	var errs []error
	err := c.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("catalog %s is inconsistent: %w", c.path, errors.Join(errs...))
	}
	return nil
}

func (c *Catalog) view(fn func(*bolt.Tx) error) error {
	return closedErr(c.db.View(fn))
}

func (c *Catalog) update(fn func(*bolt.Tx) error) error {
	return closedErr(c.db.Update(fn))
}

func closedErr(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
