package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Options configure a Log.
type Options struct {
	// Now stamps records that carry no time (default time.Now).
	Now func() time.Time
	// MaxSize is security.audit_max_size: a file that would grow past it is
	// renamed "path.N" and a new one started. 0 never rotates.
	MaxSize int64
	// Actor fills the actor fields a record leaves empty (default: this
	// process's user, uid and host).
	Actor *Actor
}

// logFile is what Append needs of an open log file; tests inject faults.
type logFile interface {
	io.Writer
	Sync() error
	Stat() (fs.FileInfo, error)
	Truncate(size int64) error
	Close() error
}

func osOpen(name string, flag int, perm fs.FileMode) (logFile, error) {
	return os.OpenFile(name, flag, perm)
}

// Log appends records to an audit log file. It is safe for concurrent use,
// and several processes may append to one log at once.
type Log struct {
	path    string
	key     *Key
	now     func() time.Time
	maxSize int64
	actor   Actor
	open    func(name string, flag int, perm fs.FileMode) (logFile, error)

	mu   sync.Mutex // serialises Append within the process
	last head       // after this process's last write; valid while the file is unchanged
}

// head is the end of the chain: the last record's seq and line hash, and
// the current file (its info and size; nil info when there is none).
type head struct {
	seq  uint64
	hash string
	fi   fs.FileInfo
}

func (h head) size() int64 {
	if h.fi == nil {
		return 0
	}
	return h.fi.Size()
}

// Open prepares the audit log at path with default options. It is kept for
// callers that need only a clock; see OpenWith.
func Open(path string, now func() time.Time) (*Log, error) {
	return OpenWith(path, Options{Now: now})
}

// OpenWith prepares the audit log at path: its directory is created 0700,
// the HMAC key beside it (KeyPath) is loaded or made, and an existing log
// file readable by others is made 0600. No file is held open.
func OpenWith(path string, o Options) (*Log, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: no audit log path", ErrWrite)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log directory: %w", err)
	}
	key, err := OpenKey(path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	actor := CurrentActor("")
	if o.Actor != nil {
		actor = *o.Actor
	}
	return &Log{path: path, key: key, now: o.Now, maxSize: o.MaxSize, actor: actor, open: osOpen}, nil
}

// Path returns the path of the current log file.
func (l *Log) Path() string { return l.path }

// Key returns the HMAC key of the log.
func (l *Log) Key() *Key { return l.key }

// Append writes r as the next record of the chain and syncs it to disk.
// Secret params are hashed first, and secret values are hashed in the error
// and notes too. When the record cannot be written and synced, Append
// returns an error wrapping ErrWrite and the log is left as it was: the
// caller must not run the operation.
func (l *Log) Append(ctx context.Context, r Record) error {
	params, secrets, err := l.key.Redact(r.Params, r.Secrets)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrWrite, r.Phase, r.Operation, err)
	}
	r.Error = l.key.Scrub(r.Error, secrets)
	if len(r.Notes) > 0 {
		notes := make([]string, len(r.Notes))
		for i, n := range r.Notes {
			notes[i] = l.key.Scrub(n, secrets)
		}
		r.Notes = notes
	}
	if r.Time.IsZero() {
		r.Time = l.now()
	}
	r.Actor = r.Actor.fill(l.actor)

	l.mu.Lock()
	defer l.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	unlock, err := lock(ctx, l.path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	defer unlock()
	if err := l.appendLocked(r, params); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWrite, l.path, err)
	}
	return nil
}

func (l *Log) appendLocked(r Record, params []byte) error {
	h, err := l.head()
	if err != nil {
		return err
	}
	line, hash, err := encodeLine(r, params, h.seq+1, h.hash)
	if err != nil {
		return err
	}
	if l.maxSize > 0 && h.size() > 0 && h.size()+int64(len(line)) > l.maxSize {
		if err := l.rotate(); err != nil {
			return err
		}
		h.fi = nil
	}
	f, err := l.open(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	n, err := f.Write(line)
	if err == nil && n < len(line) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		// Take back a partial line so the chain can go on.
		if terr := f.Truncate(h.size()); terr != nil {
			err = fmt.Errorf("%w (and removing the partial record failed: %w)", err, terr)
		}
		_ = f.Close()
		return err
	}
	fi, serr := f.Stat()
	if err := errors.Join(serr, f.Close()); err != nil {
		return err
	}
	if h.fi == nil {
		if err := syncDir(filepath.Dir(l.path)); err != nil {
			return fmt.Errorf("syncing the audit directory: %w", err)
		}
	}
	l.last = head{seq: h.seq + 1, hash: hash, fi: fi}
	return nil
}

// head finds the end of the chain: from the cache when the file is as this
// process left it, else from the last line of the current file or, when it
// is empty or missing, of the newest rotated file.
func (l *Log) head() (head, error) {
	fi, err := os.Stat(l.path)
	switch {
	case err == nil && fi.IsDir():
		return head{}, fmt.Errorf("%s is a directory", l.path)
	case err == nil && fi.Size() > 0:
		if c := l.last; c.fi != nil && os.SameFile(c.fi, fi) && c.fi.Size() == fi.Size() && c.fi.ModTime().Equal(fi.ModTime()) {
			return c, nil
		}
		seq, hash, err := lastRecord(l.path)
		return head{seq: seq, hash: hash, fi: fi}, err
	case err == nil || errors.Is(err, fs.ErrNotExist):
		if err == nil {
			fi = nil // empty: written to as a new file
		}
		rotated, _, err := rotatedFiles(l.path)
		if err != nil {
			return head{}, err
		}
		for i := len(rotated) - 1; i >= 0; i-- {
			seq, hash, err := lastRecord(rotated[i])
			if err != nil || seq > 0 {
				return head{seq: seq, hash: hash}, err
			}
		}
		return head{hash: genesis}, nil
	}
	return head{}, err
}

// rotate renames the current file to the next free "path.N".
func (l *Log) rotate() error {
	_, nums, err := rotatedFiles(l.path)
	if err != nil {
		return err
	}
	next := 1
	if len(nums) > 0 {
		next = nums[len(nums)-1] + 1
	}
	dst := fmt.Sprintf("%s.%d", l.path, next)
	if err := os.Rename(l.path, dst); err != nil {
		return fmt.Errorf("rotating the audit log: %w", err)
	}
	return syncDir(filepath.Dir(l.path))
}

// Checkpoint returns the head of the log: the number of records and the
// hash of the last. Keep it away from the host; Verify with it detects a
// rewritten chain and a cut tail.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	unlock, err := lock(ctx, l.path)
	if err != nil {
		return Checkpoint{}, err
	}
	defer unlock()
	h, err := l.head()
	if err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Count: h.seq, Hash: h.hash}, nil
}
