package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/progress"
	"github.com/ceso/ceso/pkg/backup/stream"
)

// storedDisk is a file of the backup taken from the host: a disk, or the
// NVRAM file (file.Kind says which).
type storedDisk struct {
	file archive.File
	key  string // the lease's (or ESXi's) device key
	sha1 string // of what arrived, "" when not from a lease
}

// run is a cold backup: it exports the powered-off VM to a temporary
// directory, then finishes it (finish).
func (b *backupRun) run(ctx context.Context) (storage.Entry, error) {
	info, err := b.h.Info(ctx, b.req.VM)
	if err != nil {
		return storage.Entry{}, err
	}
	b.info, b.consistency = info, archive.ConsistencyPoweredOff
	layout, err := b.h.Layout(ctx, b.v)
	if err != nil {
		return storage.Entry{}, err
	}
	tmp := archive.TempDir(b.req.VM, b.id)
	exp, err := b.h.Export(ctx, b.v)
	if err != nil {
		return storage.Entry{}, err
	}
	leaseOpen := true
	fail := b.failure(ctx, tmp, func(err error) error {
		if leaseOpen {
			exp.Abort(err)
		}
		return nil
	})
	disks, err := b.storeDisks(ctx, exp, tmp)
	if err != nil {
		return fail(err)
	}
	nv, err := b.storeLeaseNVRAM(ctx, exp, tmp, layout)
	if err != nil {
		return fail(err)
	}
	if err := b.checkTransfer(ctx, exp, append(disks, nv...)); err != nil {
		return fail(err)
	}
	if err := exp.Complete(ctx); err != nil {
		return fail(err)
	}
	leaseOpen = false
	return b.finish(ctx, tmp, append(disks, nv...), fail)
}

// failure returns the function a failed backup ends with: it calls first
// (the lease's abort, the snapshot's removal), removes the temporary
// directory and returns err, with first's error if any.
func (b *backupRun) failure(ctx context.Context, tmp string, first func(error) error) func(error) (storage.Entry, error) {
	return func(err error) (storage.Entry, error) {
		if first != nil {
			err = errors.Join(err, first(err))
		}
		if rerr := b.t.RemoveAll(context.WithoutCancel(ctx), tmp); rerr != nil {
			b.d.Logger.Warn().Err(rerr).Str("path", b.t.Location(tmp)).Msg("removing the failed backup's files; the next backup operation removes them")
		}
		return storage.Entry{}, err
	}
}

// finish stores the metadata of the files taken, checks what is stored,
// verifies it when asked, renames the directory into place and records it.
func (b *backupRun) finish(ctx context.Context, tmp string, files []storedDisk, fail func(error) (storage.Entry, error)) (storage.Entry, error) {
	m, sum, err := b.storeMetadata(ctx, tmp, files)
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
	note(context.WithoutCancel(ctx), b.d, "backup %s of %s stored at %s (%s, %s)", e.ID, b.req.VM, e.Location, progress.Bytes(e.Size), b.consistency)
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
		p := path.Join(tmp, archive.StoredName(name, comp.Algorithm))
		b.planStore(it.Name, p, comp)
		body, length, err := exp.Open(ctx, it)
		if err != nil {
			return nil, fmt.Errorf("storing disk %d (%s): %w", i, name, err)
		}
		if length > 0 {
			sizes[i] = length
			bar.SetTotal(transferTotal(sizes))
		}
		f, sha1, err := b.storeStream(ctx, p, &sniffer{r: body}, length, comp, bar.Add)
		_ = body.Close()
		if err != nil {
			return nil, fmt.Errorf("storing disk %d (%s): %w", i, name, err)
		}
		f.Name, f.Kind, f.DeviceKey = name, archive.KindDisk, it.Key
		out = append(out, storedDisk{file: f, key: it.Key, sha1: sha1})
		if sizes[i] <= 0 {
			// ESXi streams a streamOptimized disk without announcing its
			// size: once it is read, its size is known.
			sizes[i] = f.Size
			bar.SetTotal(transferTotal(sizes))
		}
	}
	return out, nil
}

// transferTotal is the number of bytes the export will send: the sum of
// the disks' sizes as the lease or the download announced them (or as
// they turned out, once read), or 0 (unknown: the bar shows no total)
// while one is not known. It is never a
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

// planStore records, in a dry run, how a file is stored.
func (b *backupRun) planStore(from, p string, comp archive.Compression) {
	if !b.d.dry() {
		return
	}
	how := "stored as read"
	if comp.Algorithm == archive.CompressionZstd {
		how = fmt.Sprintf("zstd level %d, %d worker(s)", comp.Level, stream.EncoderWorkers(b.d.Compression.Workers))
	}
	b.d.Plan(step(via(b.t), "stream "+from+" → "+b.t.Location(p), "SHA-256 and %s", how))
}

// storeStream streams body (length bytes, or -1 when not known) through
// SHA-256, SHA-1 and the compression to the target file p. progress
// receives the bytes read, when set. It returns the file's record
// (without name and kind) and the SHA-1 of what was read. The record's
// Format is the disk format its first bytes show.
func (b *backupRun) storeStream(ctx context.Context, p string, body io.Reader, length int64,
	comp archive.Compression, progress func(int64)) (archive.File, string, error) {
	f, err := b.t.Create(ctx, p)
	if err != nil {
		return archive.File{}, "", err
	}
	res, err := stream.Copy(ctx, &countingWriter{w: f, obs: b.d.observer()}, body, stream.Options{
		Compress: comp.Algorithm == archive.CompressionZstd,
		Level:    comp.Level,
		Workers:  b.d.Compression.Workers,
		SHA1:     true,
		Progress: progress,
	})
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
	out := archive.File{
		Size: res.Source.Size, SHA256: res.Source.SHA256,
		Compression: comp.Algorithm, Stored: path.Base(p),
		StoredSize: res.Stored.Size, StoredSHA256: res.Stored.SHA256,
	}
	if s, ok := body.(*sniffer); ok {
		out.Format = archive.SniffDiskFormat(s.head)
	}
	return out, res.Source.SHA1, nil
}

// sniffer keeps the first bytes read through it, to tell a disk's format.
type sniffer struct {
	r    io.Reader
	head []byte
}

func (s *sniffer) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if len(s.head) < 8 {
		s.head = append(s.head, p[:min(n, 8-len(s.head))]...)
	}
	return n, err
}

// checkTransfer compares the SHA-1 the host computed of each file it sent
// with the SHA-1 of what arrived. A host that keeps no manifest is noted.
func (b *backupRun) checkTransfer(ctx context.Context, exp *esxihost.Export, files []storedDisk) error {
	m, err := exp.Manifest(ctx)
	if err != nil {
		note(ctx, b.d, "the host's transfer manifest is not available (%v): relying on the backup's own SHA-256", err)
		return nil
	}
	for _, dk := range files {
		if dk.sha1 == "" {
			continue // not from the lease
		}
		want, ok := m[dk.key]
		switch {
		case !ok:
			note(ctx, b.d, "the host's transfer manifest has no entry for %s", dk.file.Name)
		case want != dk.sha1:
			return fmt.Errorf("%w: %s: the host sent SHA-1 %s, ceso received %s", esxihost.ErrTransferCheck, dk.file.Name, want, dk.sha1)
		}
	}
	return nil
}

// ovfFiles names the stored files for the host's descriptor.
func ovfFiles(files []storedDisk) []esxihost.DescriptorFile {
	out := make([]esxihost.DescriptorFile, 0, len(files))
	for _, dk := range files {
		out = append(out, esxihost.DescriptorFile{Key: dk.key, Name: dk.file.Name, Size: dk.file.Size})
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
