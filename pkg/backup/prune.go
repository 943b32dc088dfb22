package backup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/retention"
)

// Prune applies a retention policy to the backups of vm (every VM when
// empty) and deletes the backups it removes, files first and entry last.
// It returns every decision with its reasons. With dryRun it deletes
// nothing. A policy that keeps nothing is refused (retention.ErrEmptyPolicy),
// the newest verified backup of a VM is never removed, and Prune refuses
// (ErrLastGood) to leave a VM that has a good backup without one. A VM
// whose lock is held is skipped with an error; the others are pruned.
func Prune(ctx context.Context, d Deps, p retention.Policy, vm string, dryRun bool) ([]retention.Decision, error) {
	if err := d.needs(false); err != nil {
		return nil, err
	}
	d = d.planning()
	decisions, err := d.Catalog.ApplyRetention(p, vm)
	if err != nil {
		return nil, err
	}
	entries, err := d.Catalog.ListBackups(vm)
	if err != nil {
		return nil, err
	}
	if err := checkDecisions(decisions, entries); err != nil {
		return decisions, err
	}
	if dryRun {
		return decisions, nil
	}
	if d.dry() {
		for _, dc := range decisions {
			verdict := "keep "
			if !dc.Keep {
				verdict = "remove "
			}
			d.Plan(step("local", verdict+dc.ID, "%s", strings.Join(dc.Reasons, "; ")))
		}
	}
	byID := map[string]storage.Entry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	var errs []error
	for vmName, ids := range removals(decisions) {
		errs = append(errs, pruneVM(ctx, d, vmName, ids, byID))
	}
	if err := errors.Join(errs...); err != nil {
		return decisions, fmt.Errorf("%w: %w", ErrPartial, err)
	}
	return decisions, nil
}

// removals groups the removed backups by VM.
func removals(ds []retention.Decision) map[string][]string {
	out := map[string][]string{}
	for _, dc := range ds {
		if !dc.Keep {
			out[dc.VMName] = append(out[dc.VMName], dc.ID)
		}
	}
	return out
}

func pruneVM(ctx context.Context, d Deps, vm string, ids []string, byID map[string]storage.Entry) error {
	release, err := d.lockVM(vm, "prune")
	if err != nil {
		return fmt.Errorf("pruning %q: %w", vm, err)
	}
	defer release()
	var errs []error
	for _, id := range ids {
		if err := deleteEntry(ctx, d, byID[id]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkDecisions is a second line behind the retention engine: the newest
// verified backup of a VM stays, and a VM with a good backup keeps one.
func checkDecisions(ds []retention.Decision, entries []storage.Entry) error {
	keep := map[string]bool{}
	for _, dc := range ds {
		keep[dc.ID] = dc.Keep
	}
	newestVerified := map[string]time.Time{}
	newestVerifiedID := map[string]string{}
	hadGood, keepsGood := map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		if e.Verified() && e.Status == storage.StatusComplete && e.Timestamp.After(newestVerified[e.VMName]) {
			newestVerified[e.VMName], newestVerifiedID[e.VMName] = e.Timestamp, e.ID
		}
		if e.Good() {
			hadGood[e.VMName] = true
			keepsGood[e.VMName] = keepsGood[e.VMName] || keep[e.ID]
		}
	}
	for vm, id := range newestVerifiedID {
		if !keep[id] {
			return fmt.Errorf("%w: the policy would remove %s, the newest verified backup of %q", ErrLastGood, id, vm)
		}
	}
	for vm := range hadGood {
		if !keepsGood[vm] {
			return fmt.Errorf("%w: the policy would leave %q without a good backup", ErrLastGood, vm)
		}
	}
	return nil
}
