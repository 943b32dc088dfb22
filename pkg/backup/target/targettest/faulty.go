package targettest

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/backup/target"
)

// Operations Faulty can fail, by name.
const (
	OpCreate    = "create"
	OpWrite     = "write"
	OpCommit    = "commit"
	OpOpen      = "open"
	OpRead      = "read"
	OpStat      = "stat"
	OpList      = "list"
	OpRename    = "rename"
	OpRemoveAll = "removeall"
)

// Faulty wraps a target and injects faults: a target that is full after a
// number of bytes, a failing operation, slow writes.
type Faulty struct {
	target.Target

	mu        sync.Mutex
	fullAfter int64 // -1: never full
	written   int64
	fails     map[string]*fault
	delay     time.Duration
	calls     map[string]int
}

type fault struct {
	err   error
	skip  int
	count int // 0: always
}

var _ target.Target = (*Faulty)(nil)

// NewFaulty wraps t without faults.
func NewFaulty(t target.Target) *Faulty {
	return &Faulty{Target: t, fullAfter: -1, fails: map[string]*fault{}, calls: map[string]int{}}
}

// FullAfter makes writes fail with target.ErrFull once n bytes in total have
// been written through the wrapper; n < 0 removes the limit.
func (f *Faulty) FullAfter(n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fullAfter, f.written = n, 0
}

// Fail makes operation op fail with err, after skip calls pass, count times
// (0: always). A nil err removes the fault.
func (f *Faulty) Fail(op string, err error, skip, count int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.fails, op)
		return
	}
	f.fails[op] = &fault{err: err, skip: skip, count: count}
}

// WriteDelay sleeps d before every write, to make a transfer slow.
func (f *Faulty) WriteDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Written is the number of bytes written through the wrapper.
func (f *Faulty) Written() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.written
}

// Calls is how many times op was called.
func (f *Faulty) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// check counts a call of op and returns its injected error, if any.
func (f *Faulty) check(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	ft := f.fails[op]
	if ft == nil {
		return nil
	}
	if ft.skip > 0 {
		ft.skip--
		return nil
	}
	if ft.count > 0 {
		ft.count--
		if ft.count == 0 {
			delete(f.fails, op)
		}
	}
	return fmt.Errorf("injected %s fault: %w", op, ft.err)
}

// Create wraps the file so that writes can fail.
func (f *Faulty) Create(ctx context.Context, p string) (target.File, error) {
	if err := f.check(OpCreate); err != nil {
		return nil, err
	}
	file, err := f.Target.Create(ctx, p)
	if err != nil {
		return nil, err
	}
	return &faultyFile{File: file, f: f}, nil
}

// Open wraps the reader so that reads can fail.
func (f *Faulty) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := f.check(OpOpen); err != nil {
		return nil, err
	}
	rc, err := f.Target.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	return &faultyReader{ReadCloser: rc, f: f}, nil
}

// Stat may fail.
func (f *Faulty) Stat(ctx context.Context, p string) (target.Info, error) {
	if err := f.check(OpStat); err != nil {
		return target.Info{}, err
	}
	return f.Target.Stat(ctx, p)
}

// List may fail.
func (f *Faulty) List(ctx context.Context, dir string) ([]target.Info, error) {
	if err := f.check(OpList); err != nil {
		return nil, err
	}
	return f.Target.List(ctx, dir)
}

// Rename may fail.
func (f *Faulty) Rename(ctx context.Context, from, to string) error {
	if err := f.check(OpRename); err != nil {
		return err
	}
	return f.Target.Rename(ctx, from, to)
}

// RemoveAll may fail.
func (f *Faulty) RemoveAll(ctx context.Context, p string) error {
	if err := f.check(OpRemoveAll); err != nil {
		return err
	}
	return f.Target.RemoveAll(ctx, p)
}

type faultyFile struct {
	target.File
	f *Faulty
}

func (w *faultyFile) Write(p []byte) (int, error) {
	if err := w.f.check(OpWrite); err != nil {
		return 0, err
	}
	w.f.mu.Lock()
	delay := w.f.delay
	room := int64(len(p))
	if w.f.fullAfter >= 0 {
		room = min(room, max(w.f.fullAfter-w.f.written, 0))
	}
	w.f.written += room
	w.f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	n, err := w.File.Write(p[:room])
	if err == nil && room < int64(len(p)) {
		err = fmt.Errorf("injected: %w", target.ErrFull)
	}
	return n, err
}

func (w *faultyFile) Commit() error {
	if err := w.f.check(OpCommit); err != nil {
		_ = w.File.Abort()
		return err
	}
	return w.File.Commit()
}

type faultyReader struct {
	io.ReadCloser
	f *Faulty
}

func (r *faultyReader) Read(p []byte) (int, error) {
	if err := r.f.check(OpRead); err != nil {
		return 0, err
	}
	return r.ReadCloser.Read(p)
}
