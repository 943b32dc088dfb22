package progress

import (
	"context"
	"sync"
	"testing"
	"time"
)

type memReporter struct {
	mu  sync.Mutex
	got [][3]any
}

func (m *memReporter) Report(label string, done, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, [3]any{label, done, total})
}

func (m *memReporter) all() [][3]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][3]any(nil), m.got...)
}

// TestStartReportsWithoutDrawing: a bar started with a Reporter in its
// context reports while it runs and once more when it finishes, and draws
// nothing on a pipe.
func TestStartReportsWithoutDrawing(t *testing.T) {
	rep := &memReporter{}
	var out syncBuffer
	b := Start(WithReporter(context.Background(), rep), &out, false, "web01", 1000)
	b.Add(250)
	deadline := time.Now().Add(10 * time.Second)
	for len(rep.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(Interval / 5)
	}
	if got := rep.all(); len(got) == 0 || got[0] != [3]any{"web01", int64(250), int64(1000)} {
		t.Fatalf("reports while running: %v", got)
	}
	b.SetLabel("web01 disk 2")
	b.Add(750)
	b.Finish()
	b.Finish()
	got := rep.all()
	if last := got[len(got)-1]; last != [3]any{"web01 disk 2", int64(1000), int64(1000)} {
		t.Fatalf("last report %v", last)
	}
	if out.String() != "" {
		t.Fatalf("drew on a pipe: %q", out.String())
	}
	// Without a Reporter, Start is New.
	plain := Start(context.Background(), &out, false, "x", 1)
	plain.Add(1)
	plain.Finish()
	if out.String() != "" {
		t.Fatalf("wrote %q", out.String())
	}
}
