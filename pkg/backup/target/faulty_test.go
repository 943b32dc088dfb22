package target_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/target/targettest"
)

func newFaulty(t *testing.T) *targettest.Faulty {
	t.Helper()
	l, err := target.NewLocal("local", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return targettest.NewFaulty(l)
}

func TestFaultyFullAfter(t *testing.T) {
	f := newFaulty(t)
	f.FullAfter(10)
	file, err := f.Create(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	n, err := file.Write(make([]byte, 25))
	if !errors.Is(err, target.ErrFull) || n != 10 {
		t.Fatalf("Write = %d, %v; want 10, ErrFull", n, err)
	}
	if err := file.Abort(); err != nil {
		t.Fatal(err)
	}
	if f.Written() != 10 {
		t.Errorf("Written = %d", f.Written())
	}
	f.FullAfter(-1)
	targettest.Put(t, f, "b", make([]byte, 100))
}

func TestFaultyFail(t *testing.T) {
	f := newFaulty(t)
	boom := errors.New("boom")
	ctx := context.Background()
	targettest.Put(t, f, "a", []byte("data"))
	n := 0
	tests := []struct {
		op   string
		call func() error
	}{ // each call makes one call of its operation, but a read makes two
		{targettest.OpCreate, func() error { _, err := f.Create(ctx, "x"); return err }},
		{targettest.OpOpen, func() error { _, err := f.Open(ctx, "a"); return err }},
		{targettest.OpStat, func() error { _, err := f.Stat(ctx, "a"); return err }},
		{targettest.OpList, func() error { _, err := f.List(ctx, ""); return err }},
		{targettest.OpRename, func() error {
			n++
			targettest.Put(t, f, fmt.Sprintf("r%d", n), nil)
			return f.Rename(ctx, fmt.Sprintf("r%d", n), fmt.Sprintf("s%d", n))
		}},
		{targettest.OpRemoveAll, func() error { return f.RemoveAll(ctx, "zz") }},
		{targettest.OpRead, func() error {
			rc, err := f.Open(ctx, "a")
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = io.ReadAll(rc)
			return err
		}},
		{targettest.OpCommit, func() error {
			n++
			file, err := f.Create(ctx, fmt.Sprintf("c%d", n))
			if err != nil {
				return err
			}
			return file.Commit()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			skip := 1
			if tt.op == targettest.OpRead {
				skip = 2
			}
			f.Fail(tt.op, boom, skip, 1)
			if err := tt.call(); err != nil {
				t.Fatalf("skipped call failed: %v", err)
			}
			if err := tt.call(); !errors.Is(err, boom) {
				t.Fatalf("second call: %v, want the injected fault", err)
			}
			if f.Calls(tt.op) < 2 {
				t.Errorf("Calls = %d", f.Calls(tt.op))
			}
			f.Fail(tt.op, nil, 0, 0)
		})
	}
	if _, err := f.Stat(ctx, fmt.Sprintf("c%d", n)); !errors.Is(err, target.ErrNotExist) {
		t.Errorf("a failed commit left the file: %v", err)
	}
}

func TestFaultyWriteDelay(t *testing.T) {
	f := newFaulty(t)
	f.WriteDelay(30 * time.Millisecond)
	start := time.Now()
	targettest.Put(t, f, "a", []byte("x"))
	if time.Since(start) < 30*time.Millisecond {
		t.Error("write was not delayed")
	}
}
