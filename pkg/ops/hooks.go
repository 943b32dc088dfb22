package ops

import (
	"context"

	"github.com/google/uuid"
)

// Hooks let a front end follow one operation through Runner.Do: the HTTP
// API names a job by its correlation ID before it runs, and answers 202
// only once the operation was allowed and its start recorded.
type Hooks struct {
	// CorrelationID, when set, is used instead of a new one.
	CorrelationID string
	// Started is called once the sandbox allowed the operation and its
	// start record is written, just before it runs; not on a dry run or a
	// refusal.
	Started func()
}

type hooksKey struct{}

// WithHooks returns ctx carrying h for the Runner.Do calls made with it.
func WithHooks(ctx context.Context, h Hooks) context.Context {
	return context.WithValue(ctx, hooksKey{}, h)
}

func hooksFrom(ctx context.Context) Hooks {
	h, _ := ctx.Value(hooksKey{}).(Hooks)
	return h
}

func (h Hooks) correlationID() string {
	if h.CorrelationID != "" {
		return h.CorrelationID
	}
	return uuid.NewString()
}

func (h Hooks) started() {
	if h.Started != nil {
		h.Started()
	}
}
