package backup

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"
	"unicode/utf8"

	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
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
		if err := shutDown(ctx, r.d, r.w, v, r.name, st.ToolsRunning, timeout); err != nil {
			return fmt.Errorf("shutting down the VM to replace: %w", err)
		}
	}
	aside := asideName(r.name, r.d.now())
	err = r.w.do(ctx, fmt.Sprintf("setting %q aside", r.name),
		func() error { return r.h.Rename(ctx, v, aside) },
		func() error { return r.unregister(ctx, v) })
	if err != nil {
		if r.asidePower == vm.PoweredOn {
			_ = r.w.powerOn(context.WithoutCancel(ctx), v, r.name)
		}
		return fmt.Errorf("setting the VM to replace aside: %w", err)
	}
	r.aside, r.asideName = v, aside
	if r.asideVMX != "" {
		r.asideName = r.name
		note(ctx, r.d, "unregistered %q (its files kept in place) until the restore is whole", r.name)
		return nil
	}
	note(ctx, r.d, "renamed %q to %q until the restore is whole", r.name, aside)
	return nil
}

// unregister sets the VM aside over SSH, where it cannot be renamed:
// vim-cmd vmsvc/unregister keeps its files, and solo/registervm of its
// .vmx brings it back.
func (r *restoreRun) unregister(ctx context.Context, v esxihost.VM) error {
	l, err := r.h.Layout(ctx, v)
	if err != nil {
		return err
	}
	vmid, err := r.w.vmid(ctx, v, r.name)
	if err != nil {
		return err
	}
	cmd, err := ssh.Unregister(vmid)
	if err != nil {
		return err
	}
	if err := r.w.exec(ctx, cmd, "keeps its files; the restore registers it again if it fails"); err != nil {
		return fmt.Errorf("unregistering %q over ssh: %w", r.name, err)
	}
	r.asideVMX = l.VMX
	return nil
}

// removeAside removes the VM set aside, now that the restore is whole.
func (r *restoreRun) removeAside(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	if r.asideVMX != "" {
		dir := path.Dir(r.asideVMX)
		if err := r.w.shell().DeleteDir(ctx, dir); err != nil {
			note(ctx, r.d, "the replaced VM's files are kept in %s: removing them failed (%v); remove them yourself", dir, err)
			return
		}
		note(ctx, r.d, "removed the replaced VM's files (%s)", dir)
		return
	}
	err := r.w.do(ctx, "removing the replaced VM "+r.asideName,
		func() error { return r.h.Destroy(ctx, r.aside) },
		func() error { return r.w.shell().Destroy(ctx, ref(r.aside, r.asideName)) })
	if err != nil {
		note(ctx, r.d, "the replaced VM is kept as %q: removing it failed (%v); remove it yourself", r.asideName, err)
		return
	}
	note(ctx, r.d, "removed the replaced VM (renamed %q during the restore)", r.asideName)
}

// putBack gives the VM set aside its name and power state back.
func (r *restoreRun) putBack(ctx context.Context) error {
	if r.aside == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	if r.asideVMX != "" {
		v, err := r.reregister(ctx)
		if err != nil {
			return fmt.Errorf("the original VM %q is unregistered, its files kept: registering %s again failed: %w; register it yourself (vim-cmd solo/registervm)",
				r.name, r.asideVMX, err)
		}
		r.aside = v
		note(ctx, r.d, "the original VM %q is registered again", r.name)
	} else {
		if err := r.h.Rename(ctx, r.aside, r.name); err != nil {
			return fmt.Errorf("the original VM is still named %q: renaming it back failed: %w", r.asideName, err)
		}
		note(ctx, r.d, "the original VM has its name %q back", r.name)
	}
	if r.asidePower == vm.PoweredOn {
		if err := r.w.powerOn(ctx, r.aside, r.name); err != nil {
			return fmt.Errorf("the original VM %q did not power on again: %w", r.name, err)
		}
	}
	return nil
}

// reregister registers the VM set aside again, from its .vmx.
func (r *restoreRun) reregister(ctx context.Context) (esxihost.VM, error) {
	cmd, err := ssh.RegisterVM(r.asideVMX)
	if err != nil {
		return nil, err
	}
	if r.d.dry() {
		r.w.record(cmd, "")
		return r.aside, nil
	}
	res, err := r.w.output(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if _, err := ssh.ParseRegisterVM(res.Output()); err != nil {
		return nil, shellErr(err)
	}
	found, err := sshhost.APIInventory{C: r.d.Client}.VMByPath(ctx, r.asideVMX)
	if err != nil {
		return nil, err
	}
	return r.h.VMByID(found.ID, r.name), nil
}

// asideName is "<name>.replaced-<time>", cut to ESXi's limit.
func asideName(name string, now time.Time) string {
	suffix := ".replaced-" + now.UTC().Format("20060102T150405Z")
	for len(name)+len(suffix) > maxVMName || !utf8.ValidString(name) {
		name = name[:len(name)-1] // cut whole characters only
	}
	return name + suffix
}
