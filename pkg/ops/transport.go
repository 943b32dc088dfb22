package ops

import (
	"context"
	"slices"
	"strings"
	"sync"
)

type transportKey struct{}

// transports collects how one operation reached the host.
type transports struct {
	mu  sync.Mutex
	via []string
}

// UseTransport records that the running operation reached the host over
// via ("api" or "ssh"); the audit end record lists each once, in the order
// first used ("api+ssh"). Outside Runner.Do it does nothing. It is safe for
// concurrent use.
func UseTransport(ctx context.Context, via string) {
	t, ok := ctx.Value(transportKey{}).(*transports)
	if !ok || via == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !slices.Contains(t.via, via) {
		t.via = append(t.via, via)
	}
}

func (t *transports) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.via, "+")
}
