package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// faultyFile wraps a real log file and fails one of its calls; writeN says
// how many bytes a failing Write still puts down (a partial line).
type faultyFile struct {
	logFile
	writeErr, syncErr, truncErr error
	writeN                      int
	short                       bool
}

func (f *faultyFile) Write(p []byte) (int, error) {
	switch {
	case f.writeErr != nil:
		n, _ := f.logFile.Write(p[:f.writeN])
		return n, f.writeErr
	case f.short:
		return f.logFile.Write(p[:len(p)/2])
	}
	return f.logFile.Write(p)
}

func (f *faultyFile) Sync() error {
	if f.syncErr != nil {
		return f.syncErr
	}
	return f.logFile.Sync()
}

func (f *faultyFile) Truncate(n int64) error {
	if f.truncErr != nil {
		return f.truncErr
	}
	return f.logFile.Truncate(n)
}

func TestAppendFailsClosedOnInjectedFaults(t *testing.T) {
	tests := []struct {
		name    string
		open    func(name string, flag int, perm fs.FileMode) (logFile, error)
		want    error
		damaged bool // the partial line could not be taken back
	}{
		{"permission denied", func(string, int, fs.FileMode) (logFile, error) {
			return nil, &fs.PathError{Op: "open", Path: "audit.log", Err: syscall.EACCES}
		}, fs.ErrPermission, false},
		{"read-only file system", func(string, int, fs.FileMode) (logFile, error) {
			return nil, &fs.PathError{Op: "open", Path: "audit.log", Err: syscall.EROFS}
		}, syscall.EROFS, false},
		{"disk full mid-line", faulty(&faultyFile{writeErr: syscall.ENOSPC, writeN: 25}), syscall.ENOSPC, false},
		{"short write", faulty(&faultyFile{short: true}), nil, false},
		{"sync fails", faulty(&faultyFile{syncErr: syscall.EIO}), syscall.EIO, false},
		{"partial line stays", faulty(&faultyFile{writeErr: syscall.ENOSPC, writeN: 25, truncErr: syscall.EIO}), syscall.ENOSPC, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, path := newLog(t, Options{})
			appendN(t, l, 2)
			before, _ := os.ReadFile(path)
			l.open = tt.open
			err := l.Append(context.Background(), rec(2))
			if !errors.Is(err, ErrWrite) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("got %v, want ErrWrite and %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the log", err)
			}
			after, _ := os.ReadFile(path)
			l.open = osOpen
			err = l.Append(context.Background(), rec(3))
			if tt.damaged {
				if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "no newline") {
					t.Fatalf("next append on a torn log: %v, want ErrDamaged", err)
				}
				return
			}
			if string(after) != string(before) {
				t.Fatalf("a failed append changed the log:\n%s", after)
			}
			if err != nil {
				t.Fatalf("the log must take records again once the fault is gone: %v", err)
			}
			if rep := mustVerify(t, path, nil); rep.Records != 3 {
				t.Fatalf("%+v", rep)
			}
		})
	}
}

func faulty(f *faultyFile) func(string, int, fs.FileMode) (logFile, error) {
	return func(name string, flag int, perm fs.FileMode) (logFile, error) {
		real, err := osOpen(name, flag, perm)
		if err != nil {
			return nil, err
		}
		f.logFile = real
		return f, nil
	}
}

func TestAppendFailsClosedOnRealFiles(t *testing.T) {
	t.Run("log is a directory", func(t *testing.T) {
		l, path := newLog(t, Options{})
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := l.Append(context.Background(), rec(0)); !errors.Is(err, ErrWrite) || !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("directory is a file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		if err := os.WriteFile(dir, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(filepath.Join(dir, "audit.log"), nil); err == nil {
			t.Fatal("a log below a file must be refused")
		}
	})
	t.Run("disk full", func(t *testing.T) {
		if _, err := os.Stat("/dev/full"); err != nil {
			t.Skip("no /dev/full here")
		}
		l, path := newLog(t, Options{})
		if err := os.Symlink("/dev/full", path); err != nil {
			t.Fatal(err)
		}
		if err := l.Append(context.Background(), rec(0)); !errors.Is(err, ErrWrite) || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("got %v, want ENOSPC", err)
		}
	})
	t.Run("lock dir not writable", func(t *testing.T) {
		if os.Getuid() == 0 {
			t.Skip("root writes anywhere; the injected EACCES case covers this")
		}
		l, path := newLog(t, Options{})
		if err := os.Chmod(filepath.Dir(path), 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(filepath.Dir(path), 0o700) })
		if err := l.Append(context.Background(), rec(0)); !errors.Is(err, ErrWrite) || !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestAppendRefusesADamagedLog(t *testing.T) {
	t.Run("torn last line", func(t *testing.T) {
		l, path := newLog(t, Options{})
		appendN(t, l, 2)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(f, `{"time":"2026`)
		f.Close()
		err = l.Append(context.Background(), rec(2))
		if !errors.Is(err, ErrWrite) || !errors.Is(err, ErrDamaged) {
			t.Fatalf("got %v", err)
		}
		if _, err := l.Checkpoint(context.Background()); !errors.Is(err, ErrDamaged) {
			t.Fatalf("checkpoint of a torn log: %v", err)
		}
	})
	t.Run("last line not a record", func(t *testing.T) {
		l, path := newLog(t, Options{})
		appendN(t, l, 2)
		f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		fmt.Fprintln(f, `{"hello":"world"}`)
		f.Close()
		if err := l.Append(context.Background(), rec(2)); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "no hash field") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("bad params", func(t *testing.T) {
		l, path := newLog(t, Options{})
		r := rec(0)
		r.Params = []byte(`[1,2]`)
		if err := l.Append(context.Background(), r); !errors.Is(err, ErrWrite) || !errors.Is(err, ErrParams) {
			t.Fatalf("got %v", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatal("a refused record must leave no file")
		}
	})
}

func TestAppendHonoursTheContext(t *testing.T) {
	l, path := newLog(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Append(ctx, rec(0)); !errors.Is(err, ErrWrite) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	// Another process holds the lock: the append waits until its deadline
	// and fails, writing nothing.
	held, err := lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := l.Append(ctx, rec(0)); !errors.Is(err, ErrWrite) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lock held: %v", err)
	}
	if _, err := l.Checkpoint(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("checkpoint with the lock held: %v", err)
	}
	held()
	if err := l.Append(context.Background(), rec(0)); err != nil {
		t.Fatal(err)
	}
}

func TestAppendFailsWhenTheEncoderIsSilenced(t *testing.T) {
	old := zerolog.GlobalLevel()
	zerolog.SetGlobalLevel(zerolog.Disabled)
	t.Cleanup(func() { zerolog.SetGlobalLevel(old) })
	l, _ := newLog(t, Options{})
	if err := l.Append(context.Background(), rec(0)); !errors.Is(err, ErrWrite) || !strings.Contains(err.Error(), "encoder") {
		t.Fatalf("got %v", err)
	}
}
