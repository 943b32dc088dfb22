package storage

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AddBackup validates e and stores it. Times are stored in UTC and the
// checksum in lower case. An entry with the same ID fails with ErrExists.
func (c *Catalog) AddBackup(e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e = e.normalized()
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding backup %s: %w", e.ID, err)
	}
	return c.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBackups)
		if b.Get([]byte(e.ID)) != nil {
			return fmt.Errorf("adding backup %s: %w", e.ID, ErrExists)
		}
		if err := b.Put([]byte(e.ID), data); err != nil {
			return fmt.Errorf("adding backup %s: %w", e.ID, err)
		}
		return nil
	})
}

// GetBackup returns the entry with the given ID, or ErrNotFound.
func (c *Catalog) GetBackup(id string) (Entry, error) {
	var e Entry
	err := c.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketBackups).Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("backup %s: %w", id, ErrNotFound)
		}
		var err error
		e, err = decodeEntry(id, raw)
		return err
	})
	return e, err
}

// ListBackups returns the entries of one VM, or of every VM when vmName is
// empty, newest first (equal times: greater ID first). It reads every entry:
// a catalog holds thousands, not millions.
func (c *Catalog) ListBackups(vmName string) ([]Entry, error) {
	var list []Entry
	err := c.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBackups).ForEach(func(k, v []byte) error {
			e, err := decodeEntry(string(k), v)
			if err != nil {
				return err
			}
			if vmName == "" || e.VMName == vmName {
				list = append(list, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, func(a, b Entry) int {
		if c := b.Timestamp.Compare(a.Timestamp); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return list, nil
}

// DeleteBackup removes the entry with the given ID, or fails with
// ErrNotFound. It removes the entry only: the caller deletes the backup's
// files first (see the package documentation).
func (c *Catalog) DeleteBackup(id string) error {
	return c.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBackups)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("deleting backup %s: %w", id, ErrNotFound)
		}
		if err := b.Delete([]byte(id)); err != nil {
			return fmt.Errorf("deleting backup %s: %w", id, err)
		}
		return nil
	})
}

// SetStatus changes the status of the entry with the given ID.
func (c *Catalog) SetStatus(id string, s Status) error {
	if !s.Valid() {
		return fmt.Errorf("setting status of backup %s: %w: status %q is not one of complete, failed, deleting",
			id, ErrInvalidEntry, s)
	}
	return c.modify(id, func(e *Entry) { e.Status = s })
}

// UpdateVerification records the outcome of a verification done at the
// given time, with what it found.
func (c *Catalog) UpdateVerification(id string, ok bool, at time.Time, detail string) error {
	if at.IsZero() {
		return fmt.Errorf("recording verification of backup %s: %w: verification time is not set", id, ErrInvalidEntry)
	}
	return c.modify(id, func(e *Entry) {
		e.LastVerified = at
		e.VerifyOK = ok
		e.VerifyDetail = detail
	})
}

// modify reads, changes and writes back one entry in a single transaction.
func (c *Catalog) modify(id string, change func(*Entry)) error {
	return c.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBackups)
		raw := b.Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("updating backup %s: %w", id, ErrNotFound)
		}
		e, err := decodeEntry(id, raw)
		if err != nil {
			return err
		}
		change(&e)
		e = e.normalized()
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encoding backup %s: %w", id, err)
		}
		if err := b.Put([]byte(id), data); err != nil {
			return fmt.Errorf("updating backup %s: %w", id, err)
		}
		return nil
	})
}

func decodeEntry(id string, raw []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return Entry{}, fmt.Errorf("backup %s: %w: %w", id, ErrCorrupt, err)
	}
	if e.ID != id {
		return Entry{}, fmt.Errorf("backup %s: %w: stored under a key that is not its id %q", id, ErrCorrupt, e.ID)
	}
	return e, nil
}
