package storage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ceso/ceso/pkg/backup/retention"
)

// reasonDeleting explains the decision on an entry a deletion left behind.
const reasonDeleting = "deletion in progress: files being removed"

// ApplyRetention judges the entries of one VM (every VM when vmName is empty)
// under policy p and returns one decision per entry, grouped by VM and newest
// first. It changes nothing: the backup layer deletes what is marked for
// removal, files first and entry last.
//
// An entry is OK for the engine when it is complete and its last
// verification, if any, succeeded; a backup found damaged counts as failed.
// It is Verified when its last verification succeeded. Entries in
// StatusDeleting are always marked for removal, with their own reason.
func (c *Catalog) ApplyRetention(p retention.Policy, vmName string) ([]retention.Decision, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("applying retention: %w", err)
	}
	entries, err := c.ListBackups(vmName)
	if err != nil {
		return nil, fmt.Errorf("applying retention: %w", err)
	}
	items := make([]retention.Item, 0, len(entries))
	var deleting []retention.Decision
	for _, e := range entries {
		it := retention.Item{ID: e.ID, Host: e.Host, VMName: e.VMName, Time: e.Timestamp, Verified: e.Verified(), OK: e.Good()}
		if e.Status == StatusDeleting {
			deleting = append(deleting, retention.Decision{Item: it, Reasons: []string{reasonDeleting}})
			continue
		}
		items = append(items, it)
	}
	ds := append(retention.Apply(items, p), deleting...)
	slices.SortStableFunc(ds, func(a, b retention.Decision) int {
		if c := strings.Compare(a.Host, b.Host); c != 0 {
			return c
		}
		if c := strings.Compare(a.VMName, b.VMName); c != 0 {
			return c
		}
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return ds, nil
}
