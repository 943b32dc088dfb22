package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the catalog layout this code reads and writes.
const SchemaVersion = 1

var (
	bucketBackups = []byte("backups")
	bucketMeta    = []byte("meta")
	keySchema     = []byte("schema_version")
)

// migration upgrades a catalog from schema version `from` to from+1, inside
// the transaction it is given.
type migration struct {
	from  int
	what  string
	apply func(*bolt.Tx) error
}

// migrations[i] upgrades version i to i+1; the table ends at SchemaVersion.
var migrations = []migration{
	{from: 0, what: "mark entries written before statuses existed complete", apply: migrate0to1},
}

// upgrade brings the file to SchemaVersion: it creates the buckets of a new
// file, runs the migrations an older file needs, all in one transaction, and
// refuses a newer file without writing to it.
func (c *Catalog) upgrade() error {
	var (
		version int
		fresh   bool
	)
	err := c.view(func(tx *bolt.Tx) error {
		var err error
		version, fresh, err = schemaOf(tx)
		return err
	})
	switch {
	case err != nil:
		return err
	case fresh:
		return c.update(func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucketIfNotExists(bucketBackups); err != nil {
				return fmt.Errorf("creating bucket: %w", err)
			}
			return putVersion(tx, SchemaVersion)
		})
	case version == SchemaVersion:
		return nil
	case version > SchemaVersion:
		return fmt.Errorf("%w: the file has schema version %d and this ceso knows up to %d; use the ceso that wrote it, or a newer one",
			ErrSchemaTooNew, version, SchemaVersion)
	}
	return c.update(func(tx *bolt.Tx) error {
		for v := version; v < SchemaVersion; v++ {
			m := migrations[v]
			if err := m.apply(tx); err != nil {
				return fmt.Errorf("migrating catalog schema %d to %d (%s): %w", m.from, m.from+1, m.what, err)
			}
		}
		return putVersion(tx, SchemaVersion)
	})
}

// schemaOf reads the file's schema version. fresh is true for a file with
// neither of the catalog's buckets: one bbolt has just created.
func schemaOf(tx *bolt.Tx) (version int, fresh bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, tx.Bucket(bucketBackups) == nil, nil
	}
	raw := meta.Get(keySchema)
	if raw == nil {
		return 0, false, fmt.Errorf("%w: no schema version in bucket %q", ErrCorrupt, bucketMeta)
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 0 {
		return 0, false, fmt.Errorf("%w: schema version %q is not a number", ErrCorrupt, raw)
	}
	return v, false, nil
}

func putVersion(tx *bolt.Tx, v int) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return fmt.Errorf("creating bucket: %w", err)
	}
	if err := meta.Put(keySchema, []byte(strconv.Itoa(v))); err != nil {
		return fmt.Errorf("writing schema version: %w", err)
	}
	return nil
}

// migrate0to1 gives every version-0 entry the status it implied: complete.
func migrate0to1(tx *bolt.Tx) error {
	b := tx.Bucket(bucketBackups)
	type record struct{ key, value []byte }
	var changed []record
	err := b.ForEach(func(k, v []byte) error {
		out, err := upgradeRecord0(v)
		if err != nil {
			return fmt.Errorf("entry %q: %w", k, err)
		}
		if out != nil {
			changed = append(changed, record{bytes.Clone(k), out})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range changed { // bbolt forbids writes while ForEach runs
		if err := b.Put(r.key, r.value); err != nil {
			return fmt.Errorf("entry %q: %w", r.key, err)
		}
	}
	return nil
}

// upgradeRecord0 returns a version-0 record with "status":"complete" added,
// or nil when it already has a status. Other fields pass through untouched.
func upgradeRecord0(v []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrCorrupt)
	}
	if _, ok := fields["status"]; ok {
		return nil, nil
	}
	fields["status"] = json.RawMessage(strconv.Quote(string(StatusComplete)))
	out, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return out, nil
}
