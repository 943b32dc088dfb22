package targettest

import (
	"context"
	"errors"
	"testing"

	"github.com/ceso/ceso/pkg/backup/target"
)

// TestSuiteOnFaultyLocal runs the suite through a wrapper without faults,
// and checks that an injected fault reaches the caller.
func TestSuiteOnFaultyLocal(t *testing.T) {
	Run(t, func(t *testing.T) target.Target {
		l, err := target.NewLocal("local", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return NewFaulty(l)
	})
	l, err := target.NewLocal("local", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := NewFaulty(l)
	f.Fail(OpList, target.ErrFull, 0, 1)
	if _, err := f.List(context.Background(), ""); !errors.Is(err, target.ErrFull) {
		t.Fatalf("err = %v", err)
	}
	if _, err := f.List(context.Background(), ""); err != nil {
		t.Fatalf("the fault fired twice: %v", err)
	}
}
