package retention

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// synthetic builds months of backups of four VMs, all times in Berlin:
//
//   - web01: nightly at 02:30 from January to mid-July 2026, with gaps
//     (10–20 February, 1–3 April), a second manual backup at 14:00 on the
//     1st of each month, a failed night on the 13th of each month, Sundays
//     verified until the end of May, and a failed newest run.
//   - db01: nightly at 23:30 and 00:30 around both daylight saving changes
//     and across the new year (ISO week 2026-W53), several backups on
//     29 March, one verification on 22 March.
//   - mail01: weekly on Mondays, failing from May on, verified in February.
//   - scratch: failed runs only.
func synthetic(tb testing.TB) []Item {
	tb.Helper()
	berlin := mustLoad(tb, "Europe/Berlin")
	var items []Item
	add := func(vm string, t time.Time, ok, verified bool) {
		id := fmt.Sprintf("%s-%s", t.UTC().Format("20060102T150405Z"), vm)
		items = append(items, Item{ID: id, VMName: vm, Time: t, OK: ok, Verified: verified})
	}
	day := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, berlin)
	}

	for date := day(2026, 1, 1, 12, 0); date.Before(day(2026, 7, 16, 0, 0)); date = date.AddDate(0, 0, 1) {
		y, m, dd := date.Date()
		d := day(y, m, dd, 2, 30) // 03:30 on 29 March: 02:30 does not exist that day
		switch {
		case m == 2 && dd >= 10 && dd <= 20, m == 4 && dd <= 3:
			continue
		case dd == 13 || (m == 7 && dd == 15):
			add("web01", d, false, false)
			continue
		}
		verified := d.Weekday() == time.Sunday && m <= 5
		add("web01", d, true, verified)
		if dd == 1 {
			add("web01", day(y, m, dd, 14, 0), true, false)
		}
	}

	for _, span := range [][2]time.Time{
		{day(2026, 3, 20, 0, 0), day(2026, 4, 5, 0, 0)},
		{day(2026, 10, 18, 0, 0), day(2026, 11, 2, 0, 0)},
		{day(2026, 12, 24, 0, 0), day(2027, 1, 10, 0, 0)},
	} {
		for d := span[0]; d.Before(span[1]); d = d.AddDate(0, 0, 1) {
			y, m, dd := d.Date()
			add("db01", day(y, m, dd, 0, 30), true, y == 2026 && m == 3 && dd == 22)
			add("db01", day(y, m, dd, 23, 30), dd%5 != 0, false)
		}
	}
	for _, h := range []int{1, 3, 4, 12} {
		add("db01", day(2026, 3, 29, h, 15), true, false)
	}

	for d := day(2026, 1, 5, 3, 0); d.Before(day(2026, 7, 1, 0, 0)); d = d.AddDate(0, 0, 7) {
		add("mail01", d, d.Month() < 5, d.Month() == 2)
	}

	for i := range 3 {
		add("scratch", day(2026, 6, 1+i, 4, 0), false, false)
	}
	return items
}

func TestApplyGolden(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	newYork := mustLoad(t, "America/New_York")
	items := synthetic(t)

	tests := []struct {
		name string
		p    Policy
	}{
		{"last-3", Policy{KeepLast: 3, Location: berlin}},
		{"daily-7", Policy{KeepDaily: 7, Location: berlin}},
		{"daily-30-utc", Policy{KeepDaily: 30}},
		{"daily-30-berlin", Policy{KeepDaily: 30, Location: berlin}},
		{"daily-30-new-york", Policy{KeepDaily: 30, Location: newYork}},
		{"weekly-8", Policy{KeepWeekly: 8, Location: berlin}},
		{"monthly-6", Policy{KeepMonthly: 6, Location: berlin}},
		{"last-2-daily-10", Policy{KeepLast: 2, KeepDaily: 10, Location: berlin}},
		{"last-5-daily-5", Policy{KeepLast: 5, KeepDaily: 5, Location: berlin}},
		{"daily-7-weekly-4-monthly-12-yearly-all", Policy{KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12, KeepYearly: Unlimited, Location: berlin}},
		{"daily-all", Policy{KeepDaily: Unlimited, Location: berlin}},
		{"monthly-all", Policy{KeepMonthly: Unlimited, Location: berlin}},
		{"last-1", Policy{KeepLast: 1, Location: berlin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := Apply(items, tt.p)
			checkInvariants(t, items, tt.p, ds)

			got := renderGolden(tt.p, ds)
			file := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decisions differ from %s; run with -update and review the diff", file)
			}
		})
	}
}

// renderGolden writes one line per decision: verdict, VM, local time in the
// policy's zone, flags, ID and reasons.
func renderGolden(p Policy, ds []Decision) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", p)
	for _, d := range ds {
		verdict := "remove"
		if d.Keep {
			verdict = "keep"
		}
		flags := "--"
		switch {
		case d.OK && d.Verified:
			flags = "ok,verified"
		case d.OK:
			flags = "ok"
		case d.Verified:
			flags = "failed,verified"
		default:
			flags = "failed"
		}
		fmt.Fprintf(&b, "%-6s %-7s %s %-15s %s: %s\n", verdict, d.VMName,
			d.Time.In(p.location()).Format("2006-01-02 15:04 MST Mon"), flags, d.ID, strings.Join(d.Reasons, "; "))
	}
	return []byte(b.String())
}
