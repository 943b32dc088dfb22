package vmlock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Mode says whether a lock is shared or exclusive.
type Mode int

// Lock modes.
const (
	Shared Mode = iota + 1
	Exclusive
)

// Lock is a held VM lock. Release it when the operation ends.
type Lock struct {
	f    *os.File
	vm   string
	mode Mode
	once sync.Once
	err  error
}

// locks guards against two holders in one process: flock locks belong to
// the open file, so two opens in one process would conflict as they should,
// but a Lock released and taken again must not race its own cleanup.
var locks sync.Mutex

// FileName is the lock file of vm in dir. Different VM names give different
// files; the name stays readable for the common case.
func FileName(dir, vm string) string {
	sum := sha256.Sum256([]byte(vm))
	var b strings.Builder
	for _, r := range vm {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return filepath.Join(dir, b.String()+"-"+hex.EncodeToString(sum[:6])+".lock")
}

// TryAcquire takes the lock of vm in dir in the given mode without waiting.
// It fails with a *BusyError when a conflicting holder has it. operation
// ("backup", "restore", ...) is recorded for that error's message.
func TryAcquire(dir, vm string, mode Mode, operation string) (*Lock, error) {
	if dir == "" {
		return nil, errors.New("locking VM: no lock directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("locking VM %q: %w", vm, err)
	}
	locks.Lock()
	defer locks.Unlock()
	name := FileName(dir, vm)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking VM %q: %w", vm, err)
	}
	busy, err := flock(f, mode)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("locking VM %q: %w", vm, err)
	}
	if busy {
		holder := readHolder(name)
		_ = f.Close()
		return nil, &BusyError{VM: vm, Holder: holder}
	}
	if mode == Exclusive {
		// Only an exclusive holder writes: shared holders would overwrite
		// each other.
		_ = f.Truncate(0)
		_, _ = fmt.Fprintf(f, "pid %d: %s\n", os.Getpid(), operation)
	}
	return &Lock{f: f, vm: vm, mode: mode}, nil
}

// Release gives the lock up. Calling it again does nothing.
func (l *Lock) Release() error {
	l.once.Do(func() {
		locks.Lock()
		defer locks.Unlock()
		// The holder's note goes with the lock. The file itself stays:
		// removing it would race a process opening it to lock.
		if l.mode == Exclusive {
			_ = l.f.Truncate(0)
		}
		if err := funlock(l.f); err != nil {
			l.err = fmt.Errorf("unlocking VM %q: %w", l.vm, err)
		}
		if err := l.f.Close(); err != nil && l.err == nil {
			l.err = fmt.Errorf("unlocking VM %q: %w", l.vm, err)
		}
	})
	return l.err
}

func readHolder(name string) string {
	data, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
