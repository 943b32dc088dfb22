package retention

import (
	"strings"
	"testing"
)

// checkInvariants asserts what must hold for any items and any valid policy:
// one decision per item; the newest verified backup of every VM kept; an
// incomplete backup never fills a rule and is kept only as its VM's newest; no more complete backups kept by
// rules than the policy's counts allow; every decision explained.
func checkInvariants(tb testing.TB, items []Item, p Policy, ds []Decision) {
	tb.Helper()
	if len(ds) != len(items) {
		tb.Fatalf("%d decisions for %d items", len(ds), len(items))
	}
	seen := make(map[string]int, len(items))
	for _, it := range items {
		seen[it.VMName+"\x00"+it.ID]++
	}
	for _, d := range ds {
		seen[d.VMName+"\x00"+d.ID]--
	}
	for k, n := range seen {
		if n != 0 {
			tb.Errorf("item %q: %d decisions too few", k, n)
		}
	}

	newestVerified := map[string]Item{}
	for _, it := range items {
		nv, ok := newestVerified[it.VMName]
		if it.OK && it.Verified && (!ok || it.Time.After(nv.Time) || (it.Time.Equal(nv.Time) && it.ID > nv.ID)) {
			newestVerified[it.VMName] = it
		}
	}

	byRules := map[string]int{}
	for i, d := range ds {
		if !d.OK && d.Keep && i > 0 && ds[i-1].VMName == d.VMName {
			tb.Errorf("%s/%s: incomplete backup kept though not the newest", d.VMName, d.ID)
		}
		if len(d.Reasons) == 0 {
			tb.Errorf("%s/%s: no reason", d.VMName, d.ID)
		}
		if !d.Keep && len(d.Reasons) != 1 {
			tb.Errorf("%s/%s removed with %d reasons", d.VMName, d.ID, len(d.Reasons))
		}
		if nv, ok := newestVerified[d.VMName]; ok && nv.ID == d.ID && !d.Keep {
			tb.Errorf("%s/%s: newest verified backup removed", d.VMName, d.ID)
		}
		for _, r := range d.Reasons {
			if strings.Contains(r, "snapshot") {
				if !d.OK {
					tb.Errorf("%s/%s: incomplete backup fills a rule: %q", d.VMName, d.ID, r)
				}
				byRules[d.VMName]++
			}
		}
	}

	limit, finite := 0, true
	for _, r := range p.rules() {
		if r.count == Unlimited {
			finite = false
		}
		limit += r.count
	}
	for vm, n := range byRules {
		if finite && n > limit {
			tb.Errorf("%s: rules took %d backups, the policy allows %d", vm, n, limit)
		}
	}
}
