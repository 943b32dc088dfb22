package backup

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/progress"
	"github.com/ceso/ceso/pkg/backup/stream"
)

// storedDisk is a disk stored on the target.
type storedDisk struct {
	file archive.File
	item esxihost.Item
	sha1 string
}

// run exports the VM to a temporary directory, stores the metadata, checks
// what is stored, renames the directory into place and records the entry.
func (b *backupRun) run(ctx context.Context) (storage.Entry, error) {
	info, err := b.h.Info(ctx, b.req.VM)
	if err != nil {
		return storage.Entry{}, err
	}
	b.info = info
	tmp := archive.TempDir(b.req.VM, b.id)
	exp, err := b.h.Export(ctx, b.v)
	if err != nil {
		return storage.Entry{}, err
	}
	leaseOpen := true
	fail := func(err error) (storage.Entry, error) {
		if leaseOpen {
			exp.Abort(err)
		}
		if rerr := b.t.RemoveAll(context.WithoutCancel(ctx), tmp); rerr != nil {
			b.d.Logger.Warn().Err(rerr).Str("path", b.t.Location(tmp)).Msg("removing the failed backup's files; the next backup operation removes them")
		}
		return storage.Entry{}, err
	}
	disks, err := b.storeDisks(ctx, exp, tmp)
	if err != nil {
		return fail(err)
	}
	if err := b.checkTransfer(ctx, exp, disks); err != nil {
		return fail(err)
	}
	if err := exp.Complete(ctx); err != nil {
		return fail(err)
	}
	leaseOpen = false
	m, sum, err := b.storeMetadata(ctx, tmp, disks)
	if err != nil {
		return fail(err)
	}
	if err := checkStoredSizes(ctx, b.t, tmp, m); err != nil {
		return fail(err)
	}
	if b.req.Verify {
		if err := verifyFiles(ctx, b.d, b.t, tmp, m); err != nil {
			return fail(err)
		}
	}
	return b.commit(ctx, tmp, m, sum, fail)
}

// commit renames the backup into place and records it.
func (b *backupRun) commit(ctx context.Context, tmp string, m *archive.Manifest, sum stream.Sum,
	fail func(error) (storage.Entry, error)) (storage.Entry, error) {
	final := archive.Dir(b.req.VM, b.id)
	if err := b.t.Rename(ctx, tmp, final); err != nil {
		return fail(fmt.Errorf("moving the backup into place: %w", err))
	}
	e := b.entry(m, sum, final)
	if err := b.d.Catalog.AddBackup(e); err != nil {
		// Not listed, so not kept: the catalog never lists what is not
		// whole, and the target keeps nothing the catalog does not list.
		_ = b.t.RemoveAll(context.WithoutCancel(ctx), final)
		return storage.Entry{}, fmt.Errorf("recording the backup in the catalog: %w", err)
	}
	if b.req.Verify {
		at := b.d.now()
		if err := b.d.Catalog.UpdateVerification(e.ID, true, at, "verified when taken"); err != nil {
			return e, fmt.Errorf("recording the verification: %w", err)
		}
		e.LastVerified, e.VerifyOK, e.VerifyDetail = at, true, "verified when taken"
	}
	note(context.WithoutCancel(ctx), b.d, "backup %s of %s stored at %s (%s)", e.ID, b.req.VM, e.Location, progress.Bytes(e.Size))
	return e, nil
}

// compression returns the algorithm and level disks are stored with.
func (b *backupRun) compression() archive.Compression {
	c := b.d.Compression
	if b.req.Uncompressed || c.Algorithm == archive.CompressionNone {
		return archive.Compression{Algorithm: archive.CompressionNone}
	}
	level := c.Level
	if level == 0 {
		level = 3
	}
	return archive.Compression{Algorithm: archive.CompressionZstd, Level: level}
}

// storeDisks streams every disk of the export to the target.
func (b *backupRun) storeDisks(ctx context.Context, exp *esxihost.Export, tmp string) ([]storedDisk, error) {
	items := exp.Disks()
	if len(items) == 0 {
		return nil, errors.New("the host exported no disk")
	}
	sizes := make([]int64, len(items))
	for i, it := range items {
		sizes[i] = it.Size
	}
	bar := progress.Start(ctx, b.d.Progress, b.d.ProgressTTY, b.req.VM, transferTotal(sizes))
	defer bar.Finish()
	comp := b.compression()
	var out []storedDisk
	for i, it := range items {
		name := archive.DiskName(b.req.VM, i)
		bar.SetLabel(name)
		sized := func(n int64) { sizes[i] = n; bar.SetTotal(transferTotal(sizes)) }
		f, sha1, err := b.storeDisk(ctx, exp, it, path.Join(tmp, archive.StoredName(name, comp.Algorithm)), comp, bar, sized)
		if err != nil {
			return nil, fmt.Errorf("storing disk %d (%s): %w", i, name, err)
		}
		f.Name = name
		f.DeviceKey = it.Key
		out = append(out, storedDisk{file: f, item: it, sha1: sha1})
	}
	return out, nil
}

// transferTotal is the number of bytes the export will send: the sum of
// the disks' sizes as the lease or the download announced them, or 0
// (unknown: the bar shows no total) while one is not known. It is never a
// disk's capacity, which a thin disk does not send.
func transferTotal(sizes []int64) int64 {
	var total int64
	for _, n := range sizes {
		if n <= 0 {
			return 0
		}
		total += n
	}
	return total
}

// storeDisk streams one disk: download → SHA-256 → zstd → target file.
// sized receives the disk's size when the download announces it.
func (b *backupRun) storeDisk(ctx context.Context, exp *esxihost.Export, it esxihost.Item, p string,
	comp archive.Compression, bar *progress.Bar, sized func(int64)) (archive.File, string, error) {
	if b.d.dry() {
		how := "stored as exported"
		if comp.Algorithm == archive.CompressionZstd {
			how = fmt.Sprintf("zstd level %d, %d worker(s)", comp.Level, stream.EncoderWorkers(b.d.Compression.Workers))
		}
		b.d.Plan(step(via(b.t), "stream "+it.Name+" → "+b.t.Location(p), "SHA-256 and %s", how))
	}
	f, err := b.t.Create(ctx, p)
	if err != nil {
		return archive.File{}, "", err
	}
	body, length, err := exp.Open(ctx, it)
	if err != nil {
		_ = f.Abort()
		return archive.File{}, "", err
	}
	if length > 0 {
		sized(length)
	}
	res, err := stream.Copy(ctx, &countingWriter{w: f, obs: b.d.observer()}, body, stream.Options{
		Compress: comp.Algorithm == archive.CompressionZstd,
		Level:    comp.Level,
		Workers:  b.d.Compression.Workers,
		SHA1:     true,
		Progress: bar.Add,
	})
	_ = body.Close()
	if err == nil && length >= 0 && res.Source.Size != length {
		err = fmt.Errorf("the host announced %d bytes and sent %d", length, res.Source.Size)
	}
	if err != nil {
		_ = f.Abort()
		return archive.File{}, "", err
	}
	if err := f.Commit(); err != nil {
		return archive.File{}, "", err
	}
	return archive.File{
		Kind: archive.KindDisk, Size: res.Source.Size, SHA256: res.Source.SHA256,
		Compression: comp.Algorithm, Stored: path.Base(p),
		StoredSize: res.Stored.Size, StoredSHA256: res.Stored.SHA256,
	}, res.Source.SHA1, nil
}

// checkTransfer compares the SHA-1 the host computed of each disk it sent
// with the SHA-1 of what arrived. A host that keeps no manifest is noted.
func (b *backupRun) checkTransfer(ctx context.Context, exp *esxihost.Export, disks []storedDisk) error {
	m, err := exp.Manifest(ctx)
	if err != nil {
		note(ctx, b.d, "the host's transfer manifest is not available (%v): relying on the backup's own SHA-256", err)
		return nil
	}
	for _, dk := range disks {
		want, ok := m[dk.item.Key]
		switch {
		case !ok:
			note(ctx, b.d, "the host's transfer manifest has no entry for %s", dk.file.Name)
		case want != dk.sha1:
			return fmt.Errorf("%w: %s: the host sent SHA-1 %s, ceso received %s", esxihost.ErrTransferCheck, dk.file.Name, want, dk.sha1)
		}
	}
	return nil
}

// ovfFiles names the stored disks for the host's descriptor.
func ovfFiles(disks []storedDisk) []esxihost.DescriptorFile {
	out := make([]esxihost.DescriptorFile, 0, len(disks))
	for _, dk := range disks {
		out = append(out, esxihost.DescriptorFile{Key: dk.item.Key, Name: dk.file.Name, Size: dk.file.Size})
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
