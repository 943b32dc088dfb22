package backup

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ceso/ceso/pkg/esxi/vm"
)

// maxVMName is the longest VM name ESXi accepts.
const maxVMName = 80

// setAside shuts the VM of the original name down and renames it, so that
// the restored VM can take the name. A missing VM is not an error: the
// restore then simply recreates it.
func (r *restoreRun) setAside(ctx context.Context) error {
	v, err := r.h.Find(ctx, r.name)
	if errors.Is(err, vm.ErrNotFound) {
		note(ctx, r.d, "no VM named %q exists: restoring it", r.name)
		return nil
	}
	if err != nil {
		return err
	}
	st, err := r.h.State(ctx, v)
	if err != nil {
		return err
	}
	if st.Power == vm.Suspended {
		return fmt.Errorf("%w: %q: resume it and shut it down, or power it off yourself, then restore again", ErrSuspended, r.name)
	}
	if st.Power == vm.PoweredOn && !r.req.Force {
		return fmt.Errorf("%w: %q is running: replacing it shuts it down and removes it once the restore is whole; "+
			"run again with --force to allow that, or shut it down yourself", ErrPoweredOn, r.name)
	}
	r.asidePower = st.Power
	if st.Power == vm.PoweredOn {
		timeout := r.req.ShutdownTimeout
		if timeout == 0 {
			timeout = DefaultShutdownTimeout
		}
		if err := shutDown(ctx, r.d, r.h, v, r.name, st.ToolsRunning, timeout); err != nil {
			return fmt.Errorf("shutting down the VM to replace: %w", err)
		}
	}
	aside := asideName(r.name, r.d.now())
	if err := r.h.Rename(ctx, v, aside); err != nil {
		if r.asidePower == vm.PoweredOn {
			_ = r.h.PowerOn(context.WithoutCancel(ctx), v)
		}
		return fmt.Errorf("renaming the VM to replace: %w", err)
	}
	r.aside, r.asideName = v, aside
	note(ctx, r.d, "renamed %q to %q until the restore is whole", r.name, aside)
	return nil
}

// putBack gives the VM set aside its name and power state back.
func (r *restoreRun) putBack(ctx context.Context) error {
	if r.aside == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	if err := r.h.Rename(ctx, r.aside, r.name); err != nil {
		return fmt.Errorf("the original VM is still named %q: renaming it back failed: %w", r.asideName, err)
	}
	note(ctx, r.d, "the original VM has its name %q back", r.name)
	if r.asidePower == vm.PoweredOn {
		if err := r.h.PowerOn(ctx, r.aside); err != nil {
			return fmt.Errorf("the original VM %q did not power on again: %w", r.name, err)
		}
	}
	return nil
}

// asideName is "<name>.replaced-<time>", cut to ESXi's limit.
func asideName(name string, now time.Time) string {
	suffix := ".replaced-" + now.UTC().Format("20060102T150405Z")
	for len(name)+len(suffix) > maxVMName || !utf8.ValidString(name) {
		name = name[:len(name)-1] // cut whole characters only
	}
	return name + suffix
}
