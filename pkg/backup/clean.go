package backup

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/vmlock"
)

// CleanReport says what CleanTemp found.
type CleanReport struct {
	// Target is the target's name.
	Target string `json:"target"`
	// Removed lists the temporary files and directories removed, as
	// locations on the target.
	Removed []string `json:"removed"`
	// InUse lists temporary files left alone because an operation on their
	// VM is running.
	InUse []string `json:"in_use"`
}

// CleanTemp removes what interrupted backups left on a target: every file
// or directory whose name ends in archive.TempSuffix, at the target's top
// level or in a VM's directory. Those of a VM another process is backing
// up right now (its lock is held) are left alone and listed as in use.
// Every removal is reported through ops.Note and the log.
func CleanTemp(ctx context.Context, d Deps, t target.Target) (CleanReport, error) {
	rep := CleanReport{Target: t.Name(), Removed: []string{}, InUse: []string{}}
	if d.LockDir == "" {
		return rep, fmt.Errorf("%w: LockDir is not set", ErrMissingDependency)
	}
	top, err := t.List(ctx, "")
	if err != nil {
		return rep, fmt.Errorf("cleaning target %q: %w", t.Name(), err)
	}
	var errs []error
	for _, e := range top {
		if archive.IsTemp(e.Name) {
			errs = append(errs, removeTemp(ctx, d, t, e.Name, &rep))
			continue
		}
		if !e.Dir {
			continue
		}
		errs = append(errs, cleanVMDir(ctx, d, t, e.Name, &rep))
	}
	return rep, errors.Join(errs...)
}

// cleanVMDir removes the temporary entries of one VM directory, if no
// operation holds the VM's lock.
func cleanVMDir(ctx context.Context, d Deps, t target.Target, dir string, rep *CleanReport) error {
	list, err := t.List(ctx, dir)
	if err != nil {
		return fmt.Errorf("cleaning %s: %w", t.Location(dir), err)
	}
	var temps []string
	for _, e := range list {
		if archive.IsTemp(e.Name) {
			temps = append(temps, path.Join(dir, e.Name))
		}
	}
	if len(temps) == 0 {
		return nil
	}
	release, err := d.lockVM(dir, "cleaning temporary files")
	if errors.Is(err, vmlock.ErrBusy) {
		for _, p := range temps {
			rep.InUse = append(rep.InUse, t.Location(p))
		}
		return nil
	}
	if err != nil {
		return err
	}
	defer release()
	var errs []error
	for _, p := range temps {
		errs = append(errs, removeTemp(ctx, d, t, p, rep))
	}
	return errors.Join(errs...)
}

func removeTemp(ctx context.Context, d Deps, t target.Target, p string, rep *CleanReport) error {
	if err := t.RemoveAll(ctx, p); err != nil {
		return fmt.Errorf("removing temporary %s: %w", t.Location(p), err)
	}
	rep.Removed = append(rep.Removed, t.Location(p))
	note(ctx, d, "removed %s, left by an interrupted backup", t.Location(p))
	return nil
}

// cleanLocked removes the temporary entries of the VM directory dir, whose
// lock the caller holds.
func (d Deps) cleanLocked(ctx context.Context, t target.Target, dir string) {
	list, err := t.List(ctx, dir)
	if err != nil {
		return // a VM's first backup has no directory yet
	}
	rep := CleanReport{}
	for _, e := range list {
		if archive.IsTemp(e.Name) {
			if err := removeTemp(ctx, d, t, path.Join(dir, e.Name), &rep); err != nil {
				d.Logger.Warn().Err(err).Msg("cleaning temporary files")
			}
		}
	}
}

// HousekeepReport says what Housekeep did.
type HousekeepReport struct {
	Cleaned []CleanReport `json:"cleaned"`
	// Deleted lists the backups whose unfinished deletion was finished.
	Deleted []string `json:"deleted"`
}

// Housekeep makes the state whole again after a crash: it removes
// temporary files from every target it can open (see CleanTemp) and
// finishes the deletions a crash interrupted (see ResumeDeletions). Every
// backup command should run it first; a target that cannot be opened is
// skipped and reported in the error.
func Housekeep(ctx context.Context, d Deps) (HousekeepReport, error) {
	var rep HousekeepReport
	if err := d.needs(false); err != nil {
		return rep, err
	}
	d = d.planning()
	var errs []error
	for _, name := range d.Targets.Names() {
		t, err := d.Targets.Get(ctx, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cr, err := CleanTemp(ctx, d, t)
		rep.Cleaned = append(rep.Cleaned, cr)
		errs = append(errs, err)
	}
	deleted, err := ResumeDeletions(ctx, d)
	rep.Deleted = deleted
	errs = append(errs, err)
	return rep, errors.Join(errs...)
}

// entriesDeleting lists the entries a crash left in StatusDeleting.
func entriesDeleting(d Deps) ([]storage.Entry, error) {
	all, err := d.Catalog.ListBackups("")
	if err != nil {
		return nil, err
	}
	var out []storage.Entry
	for _, e := range all {
		if e.Status == storage.StatusDeleting {
			out = append(out, e)
		}
	}
	return out, nil
}
