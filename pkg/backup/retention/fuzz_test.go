package retention

import (
	"fmt"
	"testing"
	"time"
)

// FuzzApply builds items from bytes (4 per item: VM, two time bytes, flags)
// and checks the invariants for any policy.
func FuzzApply(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 1, 5, 0, 1, 0, 9, 9, 2}, int8(1), int8(0), int8(0), int8(0), int8(0))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0}, int8(0), int8(2), int8(1), int8(-1), int8(0))
	f.Add([]byte{2, 200, 10, 3, 1, 40, 4, 1, 2, 7, 7, 2, 0, 255, 255, 3}, int8(-1), int8(3), int8(4), int8(5), int8(-1))
	f.Add([]byte{1, 1, 1, 1}, int8(0), int8(0), int8(0), int8(0), int8(0))
	f.Add([]byte{1, 1, 1, 1}, int8(-3), int8(1), int8(0), int8(0), int8(0))

	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, last, daily, weekly, monthly, yearly int8) {
		var items []Item
		for i := 0; i+4 <= len(data); i += 4 {
			b := data[i : i+4]
			items = append(items, Item{
				ID:       fmt.Sprintf("id%03d", i/4),
				VMName:   fmt.Sprintf("vm%d", b[0]%3),
				Time:     base.Add(time.Duration(int(b[1])<<8|int(b[2])) * 37 * time.Minute),
				OK:       b[3]&1 != 0,
				Verified: b[3]&2 != 0,
			})
		}
		p := Policy{KeepLast: int(last), KeepDaily: int(daily), KeepWeekly: int(weekly),
			KeepMonthly: int(monthly), KeepYearly: int(yearly), Location: time.FixedZone("X", -5*3600)}
		ds := Apply(items, p)
		if p.Validate() != nil {
			for _, d := range ds {
				if !d.Keep {
					t.Fatalf("invalid policy %+v removed %s", p, d.ID)
				}
			}
			return
		}
		checkInvariants(t, items, p, ds)
	})
}
