package backup

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/progress"
	"github.com/ceso/ceso/pkg/backup/rangeread"
	"github.com/ceso/ceso/pkg/vmdk"
)

// hotDisk is a disk as a hot backup reads it.
type hotDisk struct {
	esxihost.DiskFile
	size    int64  // bytes of the data file to read: its size, at most the capacity
	adapter string // ddb.adapterType for the streamOptimized descriptor
}

// hotDisks finds each disk's data file, as the host lists it among the
// VM's files, and its size. A data file shorter than the disk (a sparse
// file on an NFS datastore may be) reads as zeros beyond its end.
func (b *backupRun) hotDisks(ctx context.Context, l esxihost.Layout) ([]hotDisk, error) {
	var out []hotDisk
	for _, d := range l.Disks {
		size, err := b.h.Size(ctx, d.Data)
		if err != nil {
			return nil, fmt.Errorf("disk %s: %w", d.Path, err)
		}
		if size < d.Capacity {
			note(ctx, b.d, "the data file %s holds %s of the disk's %s: the rest reads as zeros", d.Data, progress.Bytes(size), progress.Bytes(d.Capacity))
		}
		adapter := "lsilogic"
		if d.IDE {
			adapter = "ide"
		}
		out = append(out, hotDisk{DiskFile: d, size: min(size, d.Capacity), adapter: adapter})
	}
	return out, nil
}

// storeHotDisks reads every disk and stores it as a streamOptimized VMDK.
func (b *backupRun) storeHotDisks(ctx context.Context, tmp string, disks []hotDisk) ([]storedDisk, error) {
	var total int64
	for _, d := range disks {
		total += d.size
	}
	bar := progress.New(b.d.Progress, b.d.ProgressTTY, b.req.VM, total)
	defer bar.Finish()
	comp := b.compression()
	var out []storedDisk
	var zeros int64
	for i, d := range disks {
		name := archive.DiskName(b.req.VM, i)
		bar.SetLabel(name)
		p := path.Join(tmp, archive.StoredName(name, comp.Algorithm))
		f, skipped, err := b.storeHotDisk(ctx, d, name, p, comp, bar.Add)
		if err != nil {
			return nil, fmt.Errorf("storing disk %d (%s): %w", i, name, err)
		}
		zeros += skipped
		f.Name, f.Kind, f.DeviceKey, f.Format = name, archive.KindDisk, d.DeviceKey, archive.DiskStreamOptimized
		out = append(out, storedDisk{file: f, key: d.DeviceKey})
	}
	if zeros > 0 {
		note(ctx, b.d, "%s of all-zero chunks read and not stored", progress.Bytes(zeros))
	}
	return out, nil
}

// storeHotDisk reads one disk's data file with Range requests and streams
// it, as a streamOptimized VMDK, through the backup's store. It returns the
// file's record and the number of all-zero bytes left out.
func (b *backupRun) storeHotDisk(ctx context.Context, d hotDisk, name, p string, comp archive.Compression,
	bar func(int64)) (archive.File, int64, error) {
	readers := b.req.readers()
	if b.d.dry() {
		b.d.Plan(step("api", "GET "+d.Data, "%s with Range requests, %d in flight, while the VM runs on the snapshot's delta", progress.Bytes(d.size), readers))
		b.planStore("a streamOptimized VMDK (all-zero grains left out)", p, comp)
		f, _, err := b.storeStream(ctx, p, strings.NewReader(""), 0, comp, nil)
		return f, 0, err
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	ranges, err := b.h.ReadRanges(rctx, d.Data, esxihost.RangeOptions{Size: d.size, InFlight: readers, Progress: bar})
	if err != nil {
		return archive.File{}, 0, err
	}
	defer ranges.Close()
	pr, pw := io.Pipe()
	type result struct {
		zeros int64
		err   error
	}
	done := make(chan result, 1)
	go func() {
		z, err := writeStreamOptimized(pw, ranges.Reader, d, name)
		_ = pw.CloseWithError(err)
		done <- result{z, err}
	}()
	f, _, err := b.storeStream(ctx, p, pr, -1, comp, nil)
	if err != nil {
		// Unblock the writer: its writes and reads fail at once.
		_ = pr.CloseWithError(fmt.Errorf("the backup's store stopped: %w", err))
		stop()
	}
	res := <-done
	if err == nil && res.err != nil {
		err = res.err
	}
	if err != nil {
		return archive.File{}, 0, err
	}
	return f, res.zeros, nil
}

// writeStreamOptimized writes the disk read from r to w as a
// streamOptimized VMDK, leaving out the chunks that are all zeros. It
// returns the number of zero bytes left out.
func writeStreamOptimized(w io.Writer, r *rangeread.Reader, d hotDisk, name string) (int64, error) {
	sw, err := vmdk.NewStreamWriter(w, d.Capacity, vmdk.WriterOptions{FileName: name, AdapterType: d.adapter})
	if err != nil {
		return 0, err
	}
	var zeros int64
	for {
		off, chunk, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return zeros, fmt.Errorf("%s: %w", d.Data, err)
		}
		if allZero(chunk) {
			zeros += int64(len(chunk))
			continue
		}
		if _, err := sw.WriteAt(chunk, off); err != nil {
			return zeros, err
		}
	}
	return zeros, sw.Close()
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
