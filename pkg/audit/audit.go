package audit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/ops"
)

// File appends audit records to a file. It is safe for concurrent use.
type File struct {
	path string
	key  []byte
	now  func() time.Time
	mu   sync.Mutex
}

var _ ops.Auditor = (*File)(nil)

// Open prepares the audit log at path (its directory is created 0700) with
// the HMAC key kept beside it in path+".key" (created once, 0600).
func Open(path string, now func() time.Time) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	key, err := loadKey(path + ".key")
	if err != nil {
		return nil, fmt.Errorf("audit log key: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &File{path: path, key: key, now: now}, nil
}

func loadKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(b) == 64 {
		return hex.DecodeString(string(b))
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) { // another process made it first
			b, rerr := os.ReadFile(path)
			if rerr != nil {
				return nil, rerr
			}
			return hex.DecodeString(string(b))
		}
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key)); err != nil {
		return nil, err
	}
	return key, f.Sync()
}

// line is one record as written.
type line struct {
	Time string `json:"time"`
	ops.Record
}

// Write implements ops.Auditor: it appends the record and syncs the file.
func (a *File) Write(ctx context.Context, r ops.Record) error {
	data, err := json.Marshal(line{Time: a.now().UTC().Format(time.RFC3339Nano), Record: r})
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// HashSecret returns "hmac-sha256:<hex>" of value under the installation's
// audit key: the form secret parameters take in the audit log. The same
// value always gives the same hash, so a known value can be searched for.
func (a *File) HashSecret(value string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(value))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}
