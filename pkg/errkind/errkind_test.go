package errkind

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	notFound := New(NotFound, "virtual machine not found")
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, Unknown},
		{"plain", errors.New("boom"), Unknown},
		{"sentinel", notFound, NotFound},
		{"wrapped sentinel", fmt.Errorf("finding %q: %w", "web", notFound), NotFound},
		{"wrap", Wrap(Refused, context.Canceled), Refused},
		{"outermost wins", Wrap(Partial, fmt.Errorf("x: %w", notFound)), Partial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.want {
				t.Fatalf("Of() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWrapKeepsMessageAndChain(t *testing.T) {
	if Wrap(Usage, nil) != nil {
		t.Fatal("Wrap(nil) must be nil")
	}
	err := Wrap(Timeout, context.DeadlineExceeded)
	if err.Error() != context.DeadlineExceeded.Error() {
		t.Fatalf("message changed: %q", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("chain lost")
	}
}

func TestKindString(t *testing.T) {
	if NotFound.String() != "not-found" || Kind(99).String() != "unknown" || Canceled.String() != "canceled" {
		t.Fatal("unexpected names")
	}
}
