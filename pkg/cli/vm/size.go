package vm

import (
	"fmt"
	"strconv"
	"strings"
)

// parseSize reads a size such as 4096, 4G, 512MiB or 1.5T. A plain number
// is in units of defaultUnit bytes (1<<20 for memory in MiB, 1<<30 for a
// disk in GiB). Units are binary: K, M, G, T with an optional "iB" or "B".
func parseSize(s string, defaultUnit int64) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty size")
	}
	unit := defaultUnit
	upper := strings.ToUpper(t)
	upper = strings.TrimSuffix(strings.TrimSuffix(upper, "IB"), "B")
	if n := len(upper); n > 0 {
		if m, ok := map[byte]int64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}[upper[n-1]]; ok {
			unit, upper = m, upper[:n-1]
		} else if len(upper) != len(strings.ToUpper(t)) {
			unit = 1 // "512B"
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(upper), 64)
	if err != nil || v <= 0 || v > 1<<62/float64(unit) {
		return 0, fmt.Errorf("size %q: want a positive number with an optional unit such as 4G or 512M", s)
	}
	return int64(v * float64(unit)), nil
}
