package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/progress"
	"github.com/ceso/ceso/pkg/backup/stream"
	"github.com/ceso/ceso/pkg/esxi/client"
)

// importVM creates the VM and places its disks and NVRAM file: through
// an OVF import (ImportVApp) or, when the host's licence refuses that, with
// the host's own tools over SSH (importShell). On failure nothing of the
// new VM is left. It returns the VM and the number of disk bytes uploaded.
func (r *restoreRun) importVM(ctx context.Context) (esxihost.VM, int64, error) {
	if r.w.viaShell(ctx) {
		r.viaShell = true
		return r.importShell(ctx)
	}
	folder, err := r.h.FolderFor(ctx, r.datastore, r.name)
	if err != nil {
		return nil, 0, fmt.Errorf("%w; choose one with --datastore", err)
	}
	v, n, err := r.importAPI(ctx)
	if errors.Is(err, client.ErrRestrictedVersion) && r.w.sh != nil && !r.d.dry() {
		r.w.refusals.Refuse()
		r.viaShell = true
		note(ctx, r.d, "the host's licence refuses the OVF import (%v): restoring with the host's own tools over SSH", err)
		return r.importShell(ctx)
	}
	if errors.Is(err, client.ErrRestrictedVersion) && r.w.sh == nil {
		err = fmt.Errorf("%w: %w", err, ErrNoShell)
	}
	if err != nil {
		return nil, n, err
	}
	if err := r.nvramAPI(ctx, v, folder); err != nil {
		r.discard(ctx, v, false)
		return nil, n, err
	}
	return v, n, nil
}

// importAPI imports the descriptor as a new VM (ImportVApp) and uploads
// its files through the lease, checked on the fly. On failure the lease is
// aborted and the partial VM removed.
func (r *restoreRun) importAPI(ctx context.Context) (esxihost.VM, int64, error) {
	imp, err := r.h.Import(ctx, esxihost.ImportSpec{
		Name: r.name, Descriptor: string(r.l.descriptor), Datastore: r.datastore, Networks: r.networks,
	})
	if errors.Is(err, esxihost.ErrDatastoreMissing) {
		return nil, 0, fmt.Errorf("%w; choose one with --datastore", err)
	}
	if err != nil {
		return nil, 0, err
	}
	for _, w := range imp.Warnings {
		note(ctx, r.d, "the host warns about the import: %s", w)
	}
	n, err := r.upload(ctx, imp)
	if err == nil {
		err = imp.Complete(ctx)
	}
	if err != nil {
		imp.Abort(err) // the host then removes the VM; after a failed Complete it may refuse
		r.discard(ctx, imp.VM, true)
		return nil, n, err
	}
	r.leaseNVRAM = imp.Took(r.l.config.NVRAM)
	return imp.VM, n, nil
}

// nvramAPI puts the backup's NVRAM file in place when the import lease did
// not take it (a descriptor that does not reference it): uploaded over the
// datastore's HTTPS file access into the VM's folder, and named by the
// VM's nvram setting.
func (r *restoreRun) nvramAPI(ctx context.Context, v esxihost.VM, folder string) error {
	p, _, ok := r.nvramFile(folder)
	if !ok || r.leaseNVRAM {
		return nil
	}
	if err := r.placeNVRAM(ctx, folder); err != nil {
		return fmt.Errorf("restoring the NVRAM file: %w", err)
	}
	if err := r.h.SetExtraConfig(ctx, v, map[string]string{"nvram": base(p)}); err != nil {
		return fmt.Errorf("naming the NVRAM file in the VM's settings: %w", err)
	}
	return nil
}

// upload sends every file the host asks for, then compares the host's
// SHA-1 of each with the SHA-1 of what was sent.
func (r *restoreRun) upload(ctx context.Context, imp *esxihost.Import) (int64, error) {
	var total int64
	for _, it := range imp.Items() {
		if f, ok := r.l.manifest.Find(it.Name); ok {
			total += f.Size
		}
	}
	bar := progress.Start(ctx, r.d.Progress, r.d.ProgressTTY, "restore "+r.name, total)
	defer bar.Finish()
	sent := map[string]string{}
	var n int64
	for _, it := range imp.Items() {
		f, ok := r.l.manifest.Find(it.Name)
		if !ok {
			return n, fmt.Errorf("the host asks for %q, which the backup does not hold", it.Name)
		}
		bar.SetLabel("restore " + f.Name)
		rc, err := r.t.Open(ctx, path.Join(r.l.dir, f.Stored))
		if err != nil {
			return n, err
		}
		cr, err := stream.NewCheckedReader(rc, expect(f), r.d.Compression.Workers)
		if err != nil {
			_ = rc.Close()
			return n, err
		}
		err = imp.Upload(ctx, it, &barReader{r: cr, bar: bar}, f.Size)
		_ = cr.Close()
		var mismatch *stream.MismatchError
		if errors.As(err, &mismatch) {
			return n, fmt.Errorf("%w: %w", ErrCorrupt, mismatch)
		}
		if err != nil {
			return n, err
		}
		n += f.Size
		sent[it.Key] = cr.SHA1()
	}
	return n, checkHostManifest(ctx, r.d, imp, sent)
}

// checkHostManifest compares the host's SHA-1 of each uploaded file with
// the SHA-1 of what was sent.
func checkHostManifest(ctx context.Context, d Deps, imp *esxihost.Import, sent map[string]string) error {
	m, err := imp.Manifest(ctx)
	if err != nil {
		note(ctx, d, "the host's transfer manifest is not available (%v): relying on the backup's own SHA-256", err)
		return nil
	}
	for key, sha := range sent {
		if got, ok := m[key]; ok && got != sha {
			return fmt.Errorf("%w: device %s: the host received SHA-1 %s, ceso sent %s", esxihost.ErrTransferCheck, key, got, sha)
		}
	}
	return nil
}

// abortWait bounds how long discard waits for the host to remove a VM
// whose import lease was aborted, before removing it itself.
const abortWait = 10 * time.Second

// discard removes the VM a failed restore created. After an aborted import
// the host removes it itself: discard waits for that (up to abortWait),
// then removes what is left. It looks the VM up by its handle, never by
// name, so it cannot touch another VM.
func (r *restoreRun) discard(ctx context.Context, v esxihost.VM, aborted bool) {
	ctx = context.WithoutCancel(ctx)
	deadline := time.Now().Add(abortWait)
	for aborted && time.Now().Before(deadline) {
		if _, err := r.h.State(ctx, v); errors.Is(err, client.ErrNotFound) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = r.w.powerOff(ctx, v, r.name)
	err := r.w.do(ctx, "removing the partial VM "+r.name,
		func() error { return r.h.Destroy(ctx, v) },
		func() error { return r.w.shell().Destroy(ctx, ref(v, r.name)) })
	switch {
	case err == nil:
		note(ctx, r.d, "removed the partial VM %q", r.name)
	case errors.Is(err, client.ErrNotFound):
	default:
		note(ctx, r.d, "removing the partial VM %q failed (%v): remove it yourself", r.name, err)
	}
}

// barReader counts bytes read on a progress bar.
type barReader struct {
	r   io.Reader
	bar *progress.Bar
}

func (b *barReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.bar.Add(int64(n))
	return n, err
}
