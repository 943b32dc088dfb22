package metrics

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestWellFormed(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"vm.power.on", true},
		{"read-only", true},
		{"backup_create2", true},
		{"", false},
		{"VM.Create", false},
		{"web01 (prod)", false},
		{"vm/create", false},
		{"naïve", false},
		{strings.Repeat("a", maxLabelLen), true},
		{strings.Repeat("a", maxLabelLen+1), false},
	} {
		if got := wellFormed(tt.in); got != tt.want {
			t.Errorf("wellFormed(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBoundedLabelFoldsTheOverflow(t *testing.T) {
	b := newBoundedLabel(3)
	for i, tt := range []struct{ in, want string }{
		{"a", "a"}, {"b", "b"}, {"Bad Value", Other}, {"c", "c"}, {"d", Other}, {"a", "a"}, {"c", "c"},
	} {
		if got := b.value(tt.in); got != tt.want {
			t.Errorf("%d: value(%q) = %q, want %q", i, tt.in, got, tt.want)
		}
	}
}

// TestOperationSeriesAreBounded feeds IDs as operation names, as a bug
// would: the series count stops at the bound.
func TestOperationSeriesAreBounded(t *testing.T) {
	m := New(false)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				m.ObserveOperation(fmt.Sprintf("op-%d-%d", w, i), "success", 1)
			}
		})
	}
	wg.Wait()
	if n := len(m.ops.seen); n != maxOperations {
		t.Fatalf("%d operation values admitted, want %d", n, maxOperations)
	}
	// One series per admitted value, plus one for "other".
	text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	count := strings.Count(string(text), "ceso_vm_operation_total{")
	if count != maxOperations+1 {
		t.Fatalf("%d operation series, want %d", count, maxOperations+1)
	}
	other := fmt.Sprintf(`ceso_vm_operation_total{operation="other",status="success"} %d`, 4*100-maxOperations)
	if !strings.Contains(string(text), other) {
		t.Errorf("the overflow is not counted as other:\n%s", text)
	}
}
