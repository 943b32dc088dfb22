package retention

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Item is one backup as the engine sees it.
type Item struct {
	// ID identifies the backup; it breaks ties between equal times.
	ID string `json:"id"`
	// Host and VMName group backups: each VM of each host is judged on
	// its own.
	Host   string `json:"host"`
	VMName string `json:"vm_name"`
	// Time is when the backup was taken.
	Time time.Time `json:"time"`
	// Verified is true when the backup's last verification succeeded.
	Verified bool `json:"verified"`
	// OK is true when the backup is complete and not known to be damaged.
	OK bool `json:"ok"`
}

// Decision is the verdict on one item, with every reason that led to it.
type Decision struct {
	Item
	// Keep is true when the backup stays.
	Keep bool `json:"keep"`
	// Reasons lists each rule that keeps the backup, in rule order, or the
	// one reason it is removed.
	Reasons []string `json:"reasons"`
}

// Reasons given for a removal.
const (
	reasonNoRule       = "selected by no rule of the policy"
	reasonInvalid      = "policy is invalid: nothing removed"
	reasonIncompleteKo = "incomplete backup, superseded by complete backup %s"
	reasonIncompleteRe = "incomplete backup, superseded by the newer incomplete backup %s"
	reasonIncompleteOk = "newest run, incomplete: kept for inspection, fills no rule"
	reasonVerified     = "newest verified backup of %s: never removed"
)

// Apply judges every item under policy p and returns one decision per item,
// grouped by host and VM name in ascending order and, within a VM, newest
// first (equal times: greater ID first). Apply does not modify items.
//
// Given a policy that Validate refuses, Apply keeps every item.
func Apply(items []Item, p Policy) []Decision {
	type group struct{ host, vm string }
	groups := make(map[group][]Item)
	for _, it := range items {
		g := group{it.Host, it.VMName}
		groups[g] = append(groups[g], it)
	}
	keys := make([]group, 0, len(groups))
	for g := range groups {
		keys = append(keys, g)
	}
	slices.SortFunc(keys, func(a, b group) int {
		if c := strings.Compare(a.host, b.host); c != 0 {
			return c
		}
		return strings.Compare(a.vm, b.vm)
	})

	valid := p.Validate() == nil
	out := make([]Decision, 0, len(items))
	for _, g := range keys {
		out = append(out, applyVM(g.vm, groups[g], p, valid)...)
	}
	return out
}

// applyVM judges the items of one VM; items is a private copy it may sort.
func applyVM(vm string, items []Item, p Policy, valid bool) []Decision {
	slices.SortStableFunc(items, func(a, b Item) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	ds := make([]Decision, len(items))
	for i, it := range items {
		ds[i].Item = it
	}
	if !valid {
		for i := range ds {
			ds[i].Keep = true
			ds[i].Reasons = []string{reasonInvalid}
		}
		return ds
	}

	newestComplete, newestVerified, oldestComplete := -1, -1, -1
	for i, it := range items {
		if !it.OK {
			continue
		}
		if newestComplete < 0 {
			newestComplete = i
		}
		if newestVerified < 0 && it.Verified {
			newestVerified = i
		}
		oldestComplete = i
	}

	loc := p.location()
	bs := newBuckets(p)
	for i := range ds {
		d := &ds[i]
		if !d.OK {
			judgeIncomplete(d, i, newestComplete, items)
			continue
		}
		t := d.Time.In(loc)
		for j := range bs {
			if reason, ok := bs[j].take(t, i == oldestComplete); ok {
				d.Keep = true
				d.Reasons = append(d.Reasons, reason)
			}
		}
		if i == newestVerified {
			d.Keep = true
			d.Reasons = append(d.Reasons, fmt.Sprintf(reasonVerified, vm))
		}
		if !d.Keep {
			d.Reasons = []string{reasonNoRule}
		}
	}
	return ds
}

// judgeIncomplete decides on item i, which is not OK. It fills no bucket. It
// is kept only while it is the VM's newest backup (the last run failed), so
// that failures do not pile up on the target.
func judgeIncomplete(d *Decision, i, newestComplete int, items []Item) {
	switch {
	case newestComplete >= 0 && newestComplete < i:
		d.Reasons = []string{fmt.Sprintf(reasonIncompleteKo, items[newestComplete].ID)}
		return
	case i > 0:
		d.Reasons = []string{fmt.Sprintf(reasonIncompleteRe, items[0].ID)}
		return
	}
	d.Keep = true
	d.Reasons = []string{reasonIncompleteOk}
}
