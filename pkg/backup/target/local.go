package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"
)

// Local is a target in a local directory.
type Local struct {
	name string
	root string
}

var _ Target = (*Local)(nil)

// NewLocal opens the directory root as a target. root must exist and be a
// directory: an unmounted disk or share fails here with ErrUnavailable.
func NewLocal(name, root string) (*Local, error) {
	if root == "" {
		return nil, fmt.Errorf("%w: target %q has no path", ErrUnavailable, name)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("%w: target %q: %w", ErrUnavailable, name, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("%w: target %q: directory %s: %w; is the disk or share mounted?", ErrUnavailable, name, abs, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: target %q: %s is not a directory", ErrUnavailable, name, abs)
	}
	return &Local{name: name, root: abs}, nil
}

// Name is the target's name.
func (l *Local) Name() string { return l.name }

// Root is the target's directory.
func (l *Local) Root() string { return l.root }

// Location is the local path of p.
func (l *Local) Location(p string) string { return l.full(p) }

func (l *Local) full(p string) string { return filepath.Join(l.root, filepath.FromSlash(p)) }

// Create starts a file at p.
func (l *Local) Create(_ context.Context, p string) (File, error) {
	if err := CheckPath(p); err != nil {
		return nil, err
	}
	dst := l.full(p)
	if _, err := os.Lstat(dst); err == nil {
		return nil, fmt.Errorf("creating %s: %w", dst, ErrExist)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dst, localErr(err))
	}
	tmp := l.full(tempName(p))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", tmp, localErr(err))
	}
	return &localFile{f: f, tmp: tmp, dst: dst}, nil
}

// Open reads the file at p.
func (l *Local) Open(_ context.Context, p string) (io.ReadCloser, error) {
	if err := CheckPath(p); err != nil {
		return nil, err
	}
	f, err := os.Open(l.full(p))
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", l.full(p), localErr(err))
	}
	return f, nil
}

// Stat describes p.
func (l *Local) Stat(_ context.Context, p string) (Info, error) {
	if err := CheckPath(p); err != nil {
		return Info{}, err
	}
	st, err := os.Stat(l.full(p))
	if err != nil {
		return Info{}, fmt.Errorf("reading %s: %w", l.full(p), localErr(err))
	}
	return Info{Name: path.Base(p), Size: sizeOf(st), Dir: st.IsDir()}, nil
}

// List returns the entries of dir.
func (l *Local) List(_ context.Context, dir string) ([]Info, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(l.full(dir))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", l.full(dir), localErr(err))
	}
	out := make([]Info, 0, len(entries))
	for _, e := range entries {
		st, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, Info{Name: e.Name(), Size: sizeOf(st), Dir: st.IsDir()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Rename moves from to to, never replacing to.
func (l *Local) Rename(_ context.Context, from, to string) error {
	if err := CheckPath(from); err != nil {
		return err
	}
	if err := CheckPath(to); err != nil {
		return err
	}
	src, dst := l.full(from), l.full(to)
	if _, err := os.Lstat(src); err != nil {
		return fmt.Errorf("renaming %s: %w", src, localErr(err))
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("renaming %s to %s: %w", src, dst, ErrExist)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("renaming %s: %w", src, localErr(err))
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", src, dst, localErr(err))
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return err
	}
	if filepath.Dir(src) != filepath.Dir(dst) {
		return syncDir(filepath.Dir(src))
	}
	return nil
}

// RemoveAll removes p and everything under it.
func (l *Local) RemoveAll(_ context.Context, p string) error {
	if err := CheckPath(p); err != nil {
		return err
	}
	if err := os.RemoveAll(l.full(p)); err != nil {
		return fmt.Errorf("removing %s: %w", l.full(p), localErr(err))
	}
	return syncDir(filepath.Dir(l.full(p)))
}

func sizeOf(st fs.FileInfo) int64 {
	if st.IsDir() {
		return 0
	}
	return st.Size()
}

// localErr adds the target's sentinel to an operating system error.
func localErr(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %w", ErrNotExist, err)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%w: %w", ErrExist, err)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w: %w", ErrFull, err)
	}
	return err
}

// syncDir makes renames and removals in dir durable. A missing directory
// has nothing to sync.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// localFile is a file being written under its temporary name.
type localFile struct {
	f        *os.File
	tmp, dst string
	written  int64
	done     bool
}

func (w *localFile) Write(p []byte) (int, error) {
	if w.done {
		return 0, ErrClosed
	}
	n, err := w.f.Write(p)
	w.written += int64(n)
	if err != nil {
		return n, fmt.Errorf("writing %s: %w", w.tmp, localErr(err))
	}
	return n, nil
}

func (w *localFile) Commit() error {
	if w.done {
		return ErrClosed
	}
	w.done = true
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.checkSize()
	}
	if err == nil {
		if _, serr := os.Lstat(w.dst); serr == nil {
			err = ErrExist
		}
	}
	if err == nil {
		err = os.Rename(w.tmp, w.dst)
	}
	if err != nil {
		_ = os.Remove(w.tmp)
		return fmt.Errorf("storing %s: %w", w.dst, localErr(err))
	}
	return syncDir(filepath.Dir(w.dst))
}

func (w *localFile) checkSize() error {
	st, err := os.Stat(w.tmp)
	if err != nil {
		return err
	}
	if st.Size() != w.written {
		return fmt.Errorf("%d bytes stored of %d written", st.Size(), w.written)
	}
	return nil
}

func (w *localFile) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	_ = w.f.Close()
	if err := os.Remove(w.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", w.tmp, err)
	}
	return nil
}
