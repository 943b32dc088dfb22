package retention

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// at parses "2006-01-02 15:04" in loc.
func at(tb testing.TB, loc *time.Location, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatalf("parsing %q: %v", s, err)
	}
	return t
}

// summarize renders decisions as "vm/id keep|remove: reason; reason".
func summarize(ds []Decision) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		verdict := "remove"
		if d.Keep {
			verdict = "keep"
		}
		out[i] = fmt.Sprintf("%s/%s %s: %s", d.VMName, d.ID, verdict, strings.Join(d.Reasons, "; "))
	}
	return out
}

func TestApply(t *testing.T) {
	utc := time.UTC
	berlin := mustLoad(t, "Europe/Berlin")
	item := func(id, when string, ok, verified bool) Item {
		return Item{ID: id, VMName: "vm01", Time: at(t, utc, when), OK: ok, Verified: verified}
	}
	good := func(id, when string) Item { return item(id, when, true, false) }

	tests := []struct {
		name  string
		items []Item
		p     Policy
		want  []string
	}{
		{
			name:  "keep last two of four",
			items: []Item{good("a", "2026-11-01 02:00"), good("b", "2026-11-02 02:00"), good("c", "2026-11-03 02:00"), good("d", "2026-11-04 02:00")},
			p:     Policy{KeepLast: 2},
			want: []string{
				"vm01/d keep: last backup #1",
				"vm01/c keep: last backup #2",
				"vm01/b remove: " + reasonNoRule,
				"vm01/a remove: " + reasonNoRule,
			},
		},
		{
			name: "daily takes the newest of each day",
			items: []Item{good("a", "2026-11-01 02:00"), good("b", "2026-11-02 02:00"), good("c", "2026-11-02 14:00"),
				good("d", "2026-11-03 02:00"), good("e", "2026-11-03 14:00")},
			p: Policy{KeepDaily: 2},
			want: []string{
				"vm01/e keep: daily backup 2026-11-03",
				"vm01/d remove: " + reasonNoRule,
				"vm01/c keep: daily backup 2026-11-02",
				"vm01/b remove: " + reasonNoRule,
				"vm01/a remove: " + reasonNoRule,
			},
		},
		{
			name:  "room left keeps the oldest too",
			items: []Item{good("a", "2026-11-01 02:00"), good("b", "2026-11-01 14:00"), good("c", "2026-11-02 02:00")},
			p:     Policy{KeepDaily: 5},
			want: []string{
				"vm01/c keep: daily backup 2026-11-02",
				"vm01/b keep: daily backup 2026-11-01",
				"vm01/a keep: oldest daily backup 2026-11-01",
			},
		},
		{
			name: "rules are OR'ed and each says why",
			items: []Item{good("a", "2026-10-20 02:00"), good("b", "2026-10-31 02:00"), good("c", "2026-11-01 02:00"),
				good("d", "2026-11-02 02:00")},
			p: Policy{KeepLast: 1, KeepDaily: 2, KeepMonthly: 2},
			want: []string{
				"vm01/d keep: last backup #1; daily backup 2026-11-02; monthly backup 2026-11",
				"vm01/c keep: daily backup 2026-11-01",
				"vm01/b keep: monthly backup 2026-10",
				"vm01/a remove: " + reasonNoRule,
			},
		},
		{
			name: "a failed backup displaces no good one and goes once superseded",
			items: []Item{item("a", "2026-11-01 02:00", false, false), good("b", "2026-11-01 01:00"),
				good("c", "2026-11-02 02:00"), item("d", "2026-11-02 14:00", false, false)},
			p: Policy{KeepLast: 1, KeepDaily: 2},
			want: []string{
				"vm01/d keep: " + reasonIncompleteOk,
				"vm01/c keep: last backup #1; daily backup 2026-11-02",
				"vm01/a remove: incomplete backup, superseded by complete backup c",
				"vm01/b keep: daily backup 2026-11-01",
			},
		},
		{
			name: "failed runs do not pile up",
			items: []Item{good("a", "2026-11-01 02:00"), item("b", "2026-11-02 02:00", false, false),
				item("c", "2026-11-03 02:00", false, true), item("d", "2026-11-04 02:00", false, false)},
			p: Policy{KeepLast: 1},
			want: []string{
				"vm01/d keep: " + reasonIncompleteOk,
				"vm01/c remove: incomplete backup, superseded by the newer incomplete backup d",
				"vm01/b remove: incomplete backup, superseded by the newer incomplete backup d",
				"vm01/a keep: last backup #1",
			},
		},
		{
			name:  "only failed backups: the newest stays",
			items: []Item{item("a", "2026-11-01 02:00", false, false), item("b", "2026-11-02 02:00", false, true)},
			p:     Policy{KeepLast: 1},
			want: []string{
				"vm01/b keep: " + reasonIncompleteOk,
				"vm01/a remove: incomplete backup, superseded by the newer incomplete backup b",
			},
		},
		{
			name: "newest verified backup is never removed",
			items: []Item{item("a", "2026-11-01 02:00", true, true), item("b", "2026-11-02 02:00", true, true),
				good("c", "2026-11-03 02:00"), good("d", "2026-11-04 02:00")},
			p: Policy{KeepLast: 1},
			want: []string{
				"vm01/d keep: last backup #1",
				"vm01/c remove: " + reasonNoRule,
				"vm01/b keep: newest verified backup of vm01: never removed",
				"vm01/a remove: " + reasonNoRule,
			},
		},
		{
			name:  "the protection adds its reason to a kept backup",
			items: []Item{item("a", "2026-11-01 02:00", true, true)},
			p:     Policy{KeepLast: 1},
			want:  []string{"vm01/a keep: last backup #1; newest verified backup of vm01: never removed"},
		},
		{
			name:  "a verified but failed backup is not the protected one",
			items: []Item{item("a", "2026-11-01 02:00", true, true), item("b", "2026-11-02 02:00", false, true), good("c", "2026-11-03 02:00")},
			p:     Policy{KeepLast: 1},
			want: []string{
				"vm01/c keep: last backup #1",
				"vm01/b remove: incomplete backup, superseded by complete backup c",
				"vm01/a keep: newest verified backup of vm01: never removed",
			},
		},
		{
			name:  "equal times break ties by ID",
			items: []Item{good("a", "2026-11-01 02:00"), good("b", "2026-11-01 02:00"), good("c", "2026-11-01 02:00")},
			p:     Policy{KeepLast: 2},
			want: []string{
				"vm01/c keep: last backup #1",
				"vm01/b keep: last backup #2",
				"vm01/a remove: " + reasonNoRule,
			},
		},
		{
			name:  "unlimited last keeps everything",
			items: []Item{good("a", "2020-01-01 02:00"), good("b", "2026-11-01 02:00")},
			p:     Policy{KeepLast: Unlimited},
			want:  []string{"vm01/b keep: last backup #1", "vm01/a keep: last backup #2"},
		},
		{
			name: "weekly uses ISO weeks across the new year",
			items: []Item{good("a", "2026-12-27 02:00"), good("b", "2026-12-28 02:00"), good("c", "2027-01-01 02:00"),
				good("d", "2027-01-03 02:00"), good("e", "2027-01-04 02:00")},
			p: Policy{KeepWeekly: 2},
			want: []string{
				"vm01/e keep: weekly backup 2027-W01",
				"vm01/d keep: weekly backup 2026-W53",
				"vm01/c remove: " + reasonNoRule,
				"vm01/b remove: " + reasonNoRule,
				"vm01/a remove: " + reasonNoRule,
			},
		},
		{
			name:  "yearly",
			items: []Item{good("a", "2024-06-01 02:00"), good("b", "2025-12-31 23:00"), good("c", "2026-01-01 01:00")},
			p:     Policy{KeepYearly: 2},
			want:  []string{"vm01/c keep: yearly backup 2026", "vm01/b keep: yearly backup 2025", "vm01/a remove: " + reasonNoRule},
		},
		{
			name:  "invalid policy removes nothing",
			items: []Item{good("a", "2026-11-01 02:00"), good("b", "2026-11-02 02:00")},
			p:     Policy{},
			want:  []string{"vm01/b keep: " + reasonInvalid, "vm01/a keep: " + reasonInvalid},
		},
		{
			name: "days are calendar days of the location",
			// 23:30 UTC on 28 March is 00:30 on 29 March in Berlin.
			items: []Item{good("a", "2026-03-27 12:00"), good("b", "2026-03-28 20:00"), good("c", "2026-03-28 23:30")},
			p:     Policy{KeepDaily: 10, Location: berlin},
			want: []string{
				"vm01/c keep: daily backup 2026-03-29",
				"vm01/b keep: daily backup 2026-03-28",
				"vm01/a keep: daily backup 2026-03-27",
			},
		},
		{
			name: "the 25-hour day of the autumn change is one day",
			// 00:30 CEST and 23:30 CET on 25 October 2026 are 23 hours apart, on the same Berlin day.
			items: []Item{good("a", "2026-10-23 22:30"), good("b", "2026-10-24 22:30"), good("c", "2026-10-25 22:30")},
			p:     Policy{KeepDaily: 10, Location: berlin},
			want: []string{
				"vm01/c keep: daily backup 2026-10-25",
				"vm01/b remove: " + reasonNoRule,
				"vm01/a keep: daily backup 2026-10-24",
			},
		},
		{
			name: "the 23-hour day of the spring change is one day",
			// 00:30 CET and 23:30 CEST on 29 March 2026 are 22 hours apart, on the same Berlin day.
			items: []Item{good("a", "2026-03-27 23:30"), good("b", "2026-03-28 23:30"), good("c", "2026-03-29 21:30")},
			p:     Policy{KeepDaily: 10, KeepWeekly: 1, Location: berlin},
			want: []string{
				"vm01/c keep: daily backup 2026-03-29; weekly backup 2026-W13",
				"vm01/b remove: " + reasonNoRule,
				"vm01/a keep: daily backup 2026-03-28",
			},
		},
		{
			name:  "the same backups bucketed in UTC",
			items: []Item{good("a", "2026-03-27 12:00"), good("b", "2026-03-28 20:00"), good("c", "2026-03-28 23:30")},
			p:     Policy{KeepDaily: 10},
			want: []string{
				"vm01/c keep: daily backup 2026-03-28",
				"vm01/b remove: " + reasonNoRule,
				"vm01/a keep: daily backup 2026-03-27",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(Apply(tt.items, tt.p))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Apply() =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestApplyGroupsByVM(t *testing.T) {
	utc := time.UTC
	items := []Item{
		{ID: "w1", VMName: "web", Time: at(t, utc, "2026-11-01 02:00"), OK: true},
		{ID: "d1", VMName: "db", Time: at(t, utc, "2026-11-01 02:00"), OK: true, Verified: true},
		{ID: "w2", VMName: "web", Time: at(t, utc, "2026-11-02 02:00"), OK: true},
		{ID: "d2", VMName: "db", Time: at(t, utc, "2026-11-02 02:00"), OK: true},
	}
	orig := slices.Clone(items)
	got := summarize(Apply(items, Policy{KeepLast: 1}))
	want := []string{
		"db/d2 keep: last backup #1",
		"db/d1 keep: newest verified backup of db: never removed",
		"web/w2 keep: last backup #1",
		"web/w1 remove: " + reasonNoRule,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Apply() =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if !slices.Equal(items, orig) {
		t.Error("Apply modified its input")
	}
}

func TestApplyEmpty(t *testing.T) {
	if got := Apply(nil, Policy{KeepLast: 1}); len(got) != 0 {
		t.Errorf("Apply(nil) = %v, want no decisions", got)
	}
}

func TestDecisionJSON(t *testing.T) {
	d := Decision{
		Item:    Item{ID: "x", Host: "esxi01", VMName: "vm01", Time: time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC), OK: true, Verified: true},
		Keep:    true,
		Reasons: []string{"last backup #1"},
	}
	got, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"x","host":"esxi01","vm_name":"vm01","time":"2026-11-03T02:00:00Z","verified":true,"ok":true,"keep":true,"reasons":["last backup #1"]}`
	if string(got) != want {
		t.Errorf("json = %s\nwant   %s", got, want)
	}
}

// TestRetentionIsCountedPerHostAndVM: two hosts' VMs of one name are
// judged apart, each keeping its own newest backups.
func TestRetentionIsCountedPerHostAndVM(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 3, h, 0, 0, 0, time.UTC) }
	items := []Item{
		{ID: "a1", Host: "esxi-a", VMName: "web", Time: at(1), OK: true},
		{ID: "a2", Host: "esxi-a", VMName: "web", Time: at(2), OK: true},
		{ID: "b1", Host: "esxi-b", VMName: "web", Time: at(3), OK: true},
		{ID: "b2", Host: "esxi-b", VMName: "web", Time: at(4), OK: true},
	}
	ds := Apply(items, Policy{KeepLast: 1})
	kept := map[string]bool{}
	for _, d := range ds {
		kept[d.ID] = d.Keep
	}
	if !kept["a2"] || kept["a1"] || !kept["b2"] || kept["b1"] {
		t.Fatalf("decisions %+v: want the newest of each host kept", ds)
	}
	if ds[0].Host != "esxi-a" || ds[2].Host != "esxi-b" {
		t.Fatalf("decisions not grouped by host: %+v", ds)
	}
}
