package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/progress"
	"github.com/ceso/ceso/pkg/backup/stream"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/vmdk"
)

// maxSmallFile bounds the files read whole: the manifest, the descriptor,
// the configuration record and the .mf.
const maxSmallFile = 16 << 20

// loaded is a backup's metadata, read and checked.
type loaded struct {
	dir        string
	manifest   *archive.Manifest
	config     *archive.Config
	descriptor []byte
	desc       *archive.Descriptor
}

// corrupt makes a verdict error: the backup is damaged, and file says
// where.
func corrupt(file, format string, a ...any) error {
	return &corruptError{file: file, detail: fmt.Sprintf(format, a...)}
}

type corruptError struct{ file, detail string }

func (e *corruptError) Error() string { return e.file + ": " + e.detail }
func (e *corruptError) Unwrap() error { return ErrCorrupt }

// verdictOf reports whether err is a verdict on the backup (it is damaged)
// rather than a failure to look at it, and names the file.
func verdictOf(err error) (file string, ok bool) {
	var ce *corruptError
	if errors.As(err, &ce) {
		return ce.file, true
	}
	var me *stream.MismatchError
	if errors.As(err, &me) {
		return me.File, true
	}
	return "", false
}

// loadArchive reads the manifest (whose SHA-256 must be the entry's
// checksum), the configuration record and the descriptor, checks their
// digests and that the descriptor fits the manifest, and checks that every
// file is stored with its recorded size.
func loadArchive(ctx context.Context, t target.Target, e storage.Entry) (*loaded, error) {
	l := &loaded{dir: dirOf(e)}
	data, err := readSmall(ctx, t, path.Join(l.dir, archive.ManifestName))
	if err != nil {
		return nil, err
	}
	if sum := stream.SumBytes(data); sum.SHA256 != e.Checksum {
		return nil, corrupt(archive.ManifestName, "SHA-256 is %s, the catalog recorded %s", sum.SHA256, e.Checksum)
	}
	if l.manifest, err = archive.ParseManifest(data); err != nil {
		return nil, corrupt(archive.ManifestName, "%v", err)
	}
	if err := checkStoredSizes(ctx, t, l.dir, l.manifest); err != nil {
		return nil, corrupt(l.dir, "%v", err)
	}
	for _, f := range l.manifest.Files {
		if f.Kind == archive.KindDisk {
			continue
		}
		data, err := readChecked(ctx, t, l.dir, f)
		if err != nil {
			return nil, err
		}
		switch f.Kind {
		case archive.KindDescriptor:
			l.descriptor = data
		case archive.KindConfig:
			if l.config, err = archive.ParseConfig(data); err != nil {
				return nil, corrupt(f.Name, "%v", err)
			}
		}
	}
	if l.desc, err = archive.CheckDescriptor(l.descriptor, l.manifest); err != nil {
		return nil, corrupt(archive.DescriptorName(e.VMName), "%v", err)
	}
	return l, nil
}

// readSmall reads a whole small file; a missing file is a verdict.
func readSmall(ctx context.Context, t target.Target, p string) ([]byte, error) {
	rc, err := t.Open(ctx, p)
	if errors.Is(err, target.ErrNotExist) {
		return nil, corrupt(path.Base(p), "missing")
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxSmallFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", t.Location(p), err)
	}
	if len(data) > maxSmallFile {
		return nil, corrupt(path.Base(p), "larger than %s", progress.Bytes(maxSmallFile))
	}
	return data, nil
}

// readChecked reads a small uncompressed file and checks its record.
func readChecked(ctx context.Context, t target.Target, dir string, f archive.File) ([]byte, error) {
	if f.Compression != archive.CompressionNone || f.Size > maxSmallFile {
		return nil, corrupt(f.Name, "a %s file must be small and uncompressed", f.Kind)
	}
	data, err := readSmall(ctx, t, path.Join(dir, f.Stored))
	if err != nil {
		return nil, err
	}
	if s := stream.SumBytes(data); s.Size != f.Size || s.SHA256 != f.SHA256 {
		return nil, corrupt(f.Name, "size %d and sha256 %s, the manifest says %d and %s", s.Size, s.SHA256, f.Size, f.SHA256)
	}
	return data, nil
}

// expect is the check of a manifest file.
func expect(f archive.File) stream.Expect {
	return stream.Expect{
		Name: f.Name, Compressed: f.Compression == archive.CompressionZstd,
		Size: f.Size, SHA256: f.SHA256, StoredSize: f.StoredSize, StoredSHA256: f.StoredSHA256,
	}
}

// inspectDisk checks a disk's structure as it is verified: a
// streamOptimized disk (so recorded, or, in a version 1 backup, so its
// first bytes say) must read through to its end-of-stream marker with
// every grain inflating and its tables agreeing. Flat data has no
// structure to check.
func inspectDisk(f archive.File) func(io.Reader) error {
	return func(r io.Reader) error {
		br := bufio.NewReaderSize(r, 64<<10)
		format := f.Format
		if format == "" {
			head, _ := br.Peek(8)
			format = archive.SniffDiskFormat(head)
		}
		if format != archive.DiskStreamOptimized {
			return nil
		}
		sr, err := vmdk.NewStreamReader(br)
		if err != nil {
			return err
		}
		for {
			if _, _, err := sr.Next(); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
		}
	}
}

// verifyFiles reads every stored disk, decompresses it and checks both
// sides' sizes and SHA-256, and a streamOptimized disk's structure (the
// small files are checked by loadArchive).
func verifyFiles(ctx context.Context, d Deps, t target.Target, dir string, m *archive.Manifest) error {
	bar := progress.Start(ctx, d.Progress, d.ProgressTTY, "verify", m.StoredSize())
	defer bar.Finish()
	for _, f := range m.Files {
		if f.Kind != archive.KindDisk {
			continue
		}
		bar.SetLabel("verify " + f.Name)
		rc, err := t.Open(ctx, path.Join(dir, f.Stored))
		if errors.Is(err, target.ErrNotExist) {
			return corrupt(f.Stored, "missing")
		}
		if err != nil {
			return err
		}
		err = stream.VerifyInspect(ctx, rc, expect(f), d.Compression.Workers, bar.Add, inspectDisk(f))
		_ = rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
