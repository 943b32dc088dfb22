package metrics

import "sync"

// Other is the label value that stands for every value outside a label's
// bounded set.
const Other = "other"

// Bounds of the open label sets. ceso's catalog has about twenty
// operations and four security modes; the bounds leave room for growth and
// stop a caller that passes an ID or a name from creating a series each.
const (
	maxOperations = 64
	maxModes      = 8
	maxLabelLen   = 64
)

// statuses are the outcomes of an operation (pkg/ops).
var statuses = map[string]bool{"success": true, "failure": true, "refused": true, "partial": true}

// boundedLabel admits the first max distinct values of a label, each short
// and made of the characters of an operation or mode name; anything else
// becomes Other.
type boundedLabel struct {
	mu   sync.Mutex
	max  int
	seen map[string]struct{}
}

func newBoundedLabel(max int) *boundedLabel {
	return &boundedLabel{max: max, seen: map[string]struct{}{}}
}

func (b *boundedLabel) value(v string) string {
	if !wellFormed(v) {
		return Other
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[v]; ok {
		return v
	}
	if len(b.seen) >= b.max {
		return Other
	}
	b.seen[v] = struct{}{}
	return v
}

// wellFormed accepts names like "vm.power.on" or "read-only": lower-case
// letters, digits, '.', '-' and '_', at most maxLabelLen bytes.
func wellFormed(v string) bool {
	if v == "" || len(v) > maxLabelLen {
		return false
	}
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

func status(s string) string {
	if statuses[s] {
		return s
	}
	return Other
}
