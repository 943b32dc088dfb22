package backup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// Create backs up one VM to a target and records it in the catalog. A
// powered-off VM (or, with PowerOff, a running one shut down for it) is
// exported through an NFC lease kept alive by progress reports; a running
// VM is backed up hot: its disks are read from a snapshot while it keeps
// running (see runHot). Each disk is streamed through SHA-256 and zstd to
// the target, then the NVRAM file, the OVF descriptor, the configuration
// record, the .mf and the manifest are stored; the backup directory is
// renamed into place once every file is stored and its size checked, and
// only then is the catalog entry written.
//
// A failed backup leaves nothing in the catalog and removes its temporary
// files (if even that fails, the next backup operation removes them). A VM
// powered off for the backup is powered on again, whatever the outcome; a
// hot backup's snapshot is removed, whatever the outcome, and one that a
// killed run left is removed by the next backup of the VM.
func Create(ctx context.Context, d Deps, req CreateRequest) (entry storage.Entry, err error) {
	start := time.Now()
	defer func() {
		d.observer().BackupFinished(req.VM, statusOf(err), time.Since(start), entry.Size, entry.Verified())
	}()
	if err := req.validate(); err != nil {
		return storage.Entry{}, err
	}
	if err := d.needs(true); err != nil {
		return storage.Entry{}, err
	}
	d = d.planning()
	t, err := d.Targets.Get(ctx, req.Target)
	if err != nil {
		return storage.Entry{}, fmt.Errorf("backing up %q: %w", req.VM, err)
	}
	release, err := d.lockVM(req.VM, "backup of "+req.VM)
	if err != nil {
		return storage.Entry{}, fmt.Errorf("backing up %q: %w", req.VM, err)
	}
	defer release()
	d.cleanLocked(ctx, t, archive.SafeName(req.VM))
	if _, err := CleanTemp(ctx, d, t); err != nil {
		d.Logger.Warn().Err(err).Str("target", t.Name()).Msg("cleaning temporary files")
	}

	h := d.host()
	v, err := h.Find(ctx, req.VM)
	if err != nil {
		return storage.Entry{}, fmt.Errorf("backing up %q: %w", req.VM, err)
	}
	b := &backupRun{d: d, req: req, t: t, h: h, w: newWrites(d, h), v: v, taken: d.now()}
	b.id = storage.NewID(b.taken)
	entry, err = b.take(ctx)
	if err != nil {
		return storage.Entry{}, fmt.Errorf("backing up %q: %w", req.VM, err)
	}
	return entry, nil
}

// backupRun is one backup in progress.
type backupRun struct {
	d           Deps
	req         CreateRequest
	t           target.Target
	h           *esxihost.Host
	w           *writes
	v           esxihost.VM
	info        *vm.Info
	id          string
	taken       time.Time
	cold        bool   // powered off for the backup
	power       string // before the backup
	consistency string // archive.Consistency*
}

// take removes a snapshot an interrupted backup left, then backs the VM
// up hot if it runs (and PowerOff is not set), cold otherwise.
func (b *backupRun) take(ctx context.Context) (entry storage.Entry, err error) {
	if err := b.removeLeftovers(ctx); err != nil {
		return storage.Entry{}, err
	}
	st, err := b.h.State(ctx, b.v)
	if err != nil {
		return storage.Entry{}, err
	}
	b.power = st.Power
	if st.Power == vm.PoweredOn && !b.req.PowerOff {
		return b.runHot(ctx, st.ToolsRunning)
	}
	restore, err := b.powerDown(ctx, st)
	if restore != nil {
		defer func() {
			if perr := restore(); perr != nil {
				err = errors.Join(err, perr)
			}
		}()
	}
	if err != nil {
		return storage.Entry{}, err
	}
	return b.run(ctx)
}

// powerDown makes the VM exportable. It returns the function that puts its
// power state back, or nil when there is nothing to put back.
func (b *backupRun) powerDown(ctx context.Context, st esxihost.State) (func() error, error) {
	switch st.Power {
	case vm.PoweredOff:
		return nil, nil
	case vm.Suspended:
		return nil, fmt.Errorf("%w: %q: powering it off would lose its memory state; resume it and shut it down, or power it off yourself, then run the backup again",
			ErrSuspended, b.req.VM)
	}
	restore := func() error {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		if err := b.w.powerOn(rctx, b.v, b.req.VM); err != nil {
			return fmt.Errorf("powering %q on again after the backup: %w; start it yourself", b.req.VM, err)
		}
		note(ctx, b.d, "VM %s powered on again", b.req.VM)
		return nil
	}
	err := shutDown(ctx, b.d, b.w, b.v, b.req.VM, st.ToolsRunning, b.req.shutdownTimeout())
	if err != nil {
		if now, serr := b.h.State(ctx, b.v); serr == nil && now.Power == vm.PoweredOn {
			return nil, err // still running: nothing to put back
		}
		return restore, err
	}
	b.cold = true
	return restore, nil
}

// shutDown asks the guest to shut down and powers the VM off if it has not
// within timeout; without VMware Tools it powers off at once.
func shutDown(ctx context.Context, d Deps, w *writes, v esxihost.VM, name string, tools bool, timeout time.Duration) error {
	if !tools {
		note(ctx, d, "VMware Tools are not running in %s: powering it off without a guest shutdown", name)
		return w.powerOff(ctx, v, name)
	}
	if err := w.shutdownGuest(ctx, v, name); err != nil {
		note(ctx, d, "guest shutdown of %s refused (%v): powering it off", name, err)
		return w.powerOff(ctx, v, name)
	}
	off, err := w.api.WaitPower(ctx, v, vm.PoweredOff, timeout)
	if err != nil {
		return err
	}
	if off {
		note(ctx, d, "guest %s shut down", name)
		return nil
	}
	note(ctx, d, "guest %s did not shut down within %s: powering it off", name, timeout)
	return w.powerOff(ctx, v, name)
}

// note records a remark for the operation's result and the log.
func note(ctx context.Context, d Deps, format string, a ...any) {
	ops.Note(ctx, format, a...)
	d.Logger.Info().Msgf(format, a...)
}
