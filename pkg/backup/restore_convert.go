package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/stream"
	"github.com/ceso/ceso/pkg/vmdk"
)

// rawDisk is a stored disk as raw (flat) data, decompressed and checked
// while it is read: what a datastore upload needs, whatever the format the
// backup holds it in.
type rawDisk struct {
	io.Reader
	// Size is the raw disk's size (its capacity).
	Size int64
	// Adapter is the ddb.adapterType of a streamOptimized disk's own
	// descriptor ("" for flat data).
	Adapter string
	close   func()
}

// Close releases the stored file.
func (r *rawDisk) Close() error { r.close(); return nil }

// openRaw opens the stored disk f of the backup in dir as raw data. A
// streamOptimized disk is converted while read (pkg/vmdk); flat data is
// passed on. Either way the stored file is checked against its SHA-256
// and size, and the last bytes are withheld when it is wrong, so an
// upload never completes with a damaged disk.
func openRaw(ctx context.Context, d Deps, dir string, f archive.File, open func(context.Context, string) (io.ReadCloser, error)) (*rawDisk, error) {
	rc, err := open(ctx, path.Join(dir, f.Stored))
	if err != nil {
		return nil, err
	}
	cr, err := stream.NewCheckedReader(rc, expect(f), d.Compression.Workers)
	if err != nil {
		_ = rc.Close()
		return nil, err
	}
	buf := bufio.NewReaderSize(cr, 64<<10)
	format := f.Format
	if format == "" { // a version 1 backup: as the lease served it
		head, _ := buf.Peek(8)
		format = archive.SniffDiskFormat(head)
	}
	closer := func() { _ = cr.Close() }
	if format != archive.DiskStreamOptimized {
		return &rawDisk{Reader: &tailChecked{r: buf, rest: f.Size, src: buf}, Size: f.Size, close: closer}, nil
	}
	sr, err := vmdk.NewStreamReader(buf)
	if err != nil {
		closer()
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, f.Name, checkedErr(err))
	}
	return &rawDisk{
		Reader: &tailChecked{r: sr, rest: sr.Capacity(), src: buf},
		Size:   sr.Capacity(), Adapter: sr.Descriptor().DDB["ddb.adapterType"], close: closer,
	}, nil
}

// tailChecked hands out rest bytes of r; before it hands out the last of
// them it reads src (the checked stored file) to its end, so that a wrong
// stored file fails the read instead of completing it.
type tailChecked struct {
	r    io.Reader
	rest int64
	src  io.Reader
	err  error
}

func (t *tailChecked) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	if t.rest == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) < t.rest {
		n, err := t.r.Read(p)
		t.rest -= int64(n)
		if err == io.EOF && t.rest > 0 {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			t.err = checkedErr(err)
		}
		return n, t.err
	}
	// The last bytes: read them, then the rest of the stored file.
	n, err := io.ReadFull(t.r, p[:t.rest])
	if err == nil {
		_, err = io.Copy(io.Discard, t.src)
	}
	if err != nil {
		t.err = checkedErr(err)
		return 0, t.err
	}
	t.rest = 0
	return n, io.EOF
}

// checkedErr makes a failed check of the stored file (a mismatch, a
// broken stream) a verdict: the backup is damaged.
func checkedErr(err error) error {
	var me *stream.MismatchError
	if errors.As(err, &me) {
		return fmt.Errorf("%w: %w", ErrCorrupt, me)
	}
	if errors.Is(err, vmdk.ErrCorrupt) || errors.Is(err, vmdk.ErrTruncated) || errors.Is(err, vmdk.ErrNotVMDK) || errors.Is(err, vmdk.ErrUnsupported) {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}
