package backup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/vmlock"
)

// VerifyResult is the verdict on one backup. Its JSON form is part of the
// CLI's output.
type VerifyResult struct {
	ID     string `json:"id"`
	VMName string `json:"vm_name"`
	OK     bool   `json:"ok"`
	// Detail says what was checked, or what is wrong.
	Detail string `json:"detail"`
	// File names the damaged file ("" when OK).
	File string `json:"file"`
	// Files is the number of files checked; Bytes the stored bytes read.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

// Verify re-reads everything a backup stored: the manifest (against the
// catalog's checksum), the descriptor, the configuration record and the
// .mf, and every disk decompressed, each against the SHA-256 and size in
// the manifest. It records the verdict in the catalog and returns it; a
// damaged backup also returns an error wrapping ErrCorrupt that names the
// file. A failure to read the target (unreachable, cancelled) records
// nothing.
func Verify(ctx context.Context, d Deps, id string) (res VerifyResult, err error) {
	start := time.Now()
	var taken time.Time
	defer func() { d.observer().VerifyFinished(res.VMName, taken, statusOf(err), time.Since(start), res.Bytes) }()
	if err := d.needs(false); err != nil {
		return VerifyResult{}, err
	}
	d = d.planning()
	e, err := d.Catalog.GetBackup(id)
	if err != nil {
		return VerifyResult{}, err
	}
	taken = e.Timestamp
	return verifyEntry(ctx, d, e)
}

func verifyEntry(ctx context.Context, d Deps, e storage.Entry) (VerifyResult, error) {
	res := VerifyResult{ID: e.ID, VMName: e.VMName}
	if e.Status != storage.StatusComplete {
		return res, fmt.Errorf("%w: backup %s is %s", ErrNotComplete, e.ID, e.Status)
	}
	release, err := d.lockVMMode(e.VMName, vmlock.Shared, "verification of "+e.ID)
	if err != nil {
		return res, fmt.Errorf("verifying backup %s: %w", e.ID, err)
	}
	defer release()
	t, err := d.Targets.Get(ctx, e.Target)
	if err != nil {
		return res, fmt.Errorf("verifying backup %s: %w", e.ID, err)
	}
	l, err := loadArchive(ctx, t, e)
	switch {
	case err == nil && d.dry():
		// A plan reads the archive's metadata, not its gigabytes.
		d.Plan(step(via(t), "read every file of "+t.Location(l.dir), "%d file(s), %d bytes stored: decompress, check each size and SHA-256 (manifest SHA-256 %s)",
			len(l.manifest.Files), l.manifest.StoredSize(), e.Checksum))
	case err == nil:
		err = verifyFiles(ctx, d, t, l.dir, l.manifest)
	}
	file, verdict := verdictOf(err)
	if err != nil && !verdict {
		return res, fmt.Errorf("verifying backup %s: %w", e.ID, err)
	}
	res.OK = err == nil
	if res.OK {
		res.Files = len(l.manifest.Files) + 1
		res.Bytes = l.manifest.StoredSize()
		res.Detail = fmt.Sprintf("all %d files match their SHA-256", res.Files)
	} else {
		res.File, res.Detail = file, err.Error()
	}
	if uerr := d.Catalog.UpdateVerification(e.ID, res.OK, d.now(), res.Detail); uerr != nil {
		return res, fmt.Errorf("recording the verification of %s: %w", e.ID, uerr)
	}
	if !res.OK {
		return res, fmt.Errorf("%w: backup %s: %s", ErrCorrupt, e.ID, res.Detail)
	}
	return res, nil
}

// VerifyAll verifies every complete backup of vm (of every VM when vm is
// empty), oldest first, and goes on past failures. The error wraps
// ErrPartial (and each failure) when some backups failed.
func VerifyAll(ctx context.Context, d Deps, vm string) ([]VerifyResult, error) {
	if err := d.needs(false); err != nil {
		return nil, err
	}
	entries, err := d.Catalog.ListBackups(vm)
	if err != nil {
		return nil, err
	}
	var results []VerifyResult
	var errs []error
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Status != storage.StatusComplete {
			continue
		}
		if err := ctx.Err(); err != nil {
			return results, err
		}
		start := time.Now()
		res, err := verifyEntry(ctx, d, e)
		d.observer().VerifyFinished(e.VMName, e.Timestamp, statusOf(err), time.Since(start), res.Bytes)
		results = append(results, res)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return results, fmt.Errorf("%w: %d of %d backups: %w", ErrPartial, len(errs), len(results), errors.Join(errs...))
	}
	return results, nil
}
