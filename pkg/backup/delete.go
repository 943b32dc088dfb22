package backup

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/vmlock"
)

// DeleteOptions change how Delete decides.
type DeleteOptions struct {
	// Force deletes the last good backup of a VM too.
	Force bool
}

// Delete removes a backup: its entry is marked StatusDeleting, its files
// are removed from the target, then the entry is removed. A crash between
// the steps leaves the entry marked; ResumeDeletions (and Housekeep)
// finishes it. The last good backup of a VM (complete, not found damaged)
// is kept unless opts.Force is set, with ErrLastGood.
func Delete(ctx context.Context, d Deps, id string, opts DeleteOptions) error {
	if err := d.needs(false); err != nil {
		return err
	}
	d = d.planning()
	e, err := d.Catalog.GetBackup(id)
	if err != nil {
		return err
	}
	release, err := d.lockVM(e.VMName, "deletion of "+id)
	if err != nil {
		return fmt.Errorf("deleting backup %s: %w", id, err)
	}
	defer release()
	if !opts.Force && e.Good() {
		others, err := d.Catalog.ListBackups(e.VMName)
		if err != nil {
			return err
		}
		if goodCount(others) == 1 {
			return fmt.Errorf("%w: %s is the last good backup of %q; take a new backup first, or pass --force to delete it anyway",
				ErrLastGood, id, e.VMName)
		}
	}
	return deleteEntry(ctx, d, e)
}

func goodCount(entries []storage.Entry) int {
	n := 0
	for _, e := range entries {
		if e.Good() {
			n++
		}
	}
	return n
}

// deleteEntry removes files then entry; the caller holds the VM's lock.
func deleteEntry(ctx context.Context, d Deps, e storage.Entry) error {
	if e.Status != storage.StatusDeleting {
		if err := d.Catalog.SetStatus(e.ID, storage.StatusDeleting); err != nil {
			return fmt.Errorf("deleting backup %s: %w", e.ID, err)
		}
	}
	t, err := d.Targets.Get(ctx, e.Target)
	if err != nil {
		return fmt.Errorf("deleting backup %s: its files stay until the target is available (the next backup command retries): %w", e.ID, err)
	}
	dir := dirOf(e)
	if err := t.RemoveAll(ctx, dir); err != nil {
		return fmt.Errorf("deleting backup %s: removing %s (the next backup command retries): %w", e.ID, t.Location(dir), err)
	}
	if err := d.Catalog.DeleteBackup(e.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("deleting backup %s: %w", e.ID, err)
	}
	note(ctx, d, "deleted backup %s of %s from %s", e.ID, e.VMName, t.Location(dir))
	return nil
}

// ResumeDeletions finishes the deletions a crash interrupted: every entry
// in StatusDeleting has its files removed, then the entry. It returns the
// IDs it finished; a VM whose lock is held is left for the next run.
func ResumeDeletions(ctx context.Context, d Deps) ([]string, error) {
	if err := d.needs(false); err != nil {
		return nil, err
	}
	d = d.planning()
	entries, err := entriesDeleting(d)
	if err != nil {
		return nil, err
	}
	done := []string{}
	var errs []error
	for _, e := range entries {
		release, err := d.lockVM(e.VMName, "finishing the interrupted deletion of "+e.ID)
		if errors.Is(err, vmlock.ErrBusy) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		err = deleteEntry(ctx, d, e)
		release()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, e.ID)
	}
	return done, errors.Join(errs...)
}
