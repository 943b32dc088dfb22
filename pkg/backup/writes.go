package backup

import (
	"context"
	"fmt"
	"sync"

	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// writes makes the engine's changes to VMs (power, snapshots) and, for a
// restore the API refuses, the shell steps: each goes over the API first
// and, when the host refuses it with RestrictedVersion (the free licence),
// over SSH with vim-cmd, noted in the output and the audit record. Once
// the host has refused one, the later changes go straight to SSH; with
// Deps.ShellFirst they all do. The licence is found out by the host's
// fault, never from its name; only a dry run, which may not try a change,
// reads the licence to show what the run would do.
type writes struct {
	d   Deps
	api *esxihost.Host
	sh  *sshhost.Host // nil without Deps.Shell
	run sshhost.Runner

	refusals  client.Refusals
	planOnce  sync.Once
	planShell bool
}

func newWrites(d Deps, api *esxihost.Host) *writes {
	w := &writes{d: d, api: api, run: d.Shell}
	if d.Shell != nil {
		var inv sshhost.Inventory
		if d.Client != nil {
			inv = sshhost.APIInventory{C: d.Client}
		}
		w.sh = sshhost.New(d.Shell, sshhost.Options{Inventory: inv})
	}
	return w
}

// viaShell reports whether changes go straight to SSH.
func (w *writes) viaShell(ctx context.Context) bool {
	if w.sh == nil {
		return false
	}
	if w.d.dry() {
		w.planOnce.Do(func() { w.planShell = w.decidePlan(ctx) })
		return w.planShell
	}
	return w.refusals.Refused() || w.d.ShellFirst
}

// decidePlan is a dry run's choice: SSH when the transport says so or the
// host's licence is the free one, which refuses API writes.
func (w *writes) decidePlan(ctx context.Context) bool {
	if w.d.ShellFirst {
		w.d.Plan(step("local", "writes over SSH", "esxi.transport ssh"))
		return true
	}
	free, err := w.d.freeLicence(ctx)
	if err != nil {
		w.d.Plan(step("local", "writes over the API", "the licence could not be read (%v); on the free licence they would run over SSH", err))
		return false
	}
	if free {
		w.d.Plan(step("local", "writes over SSH", "the host's licence refuses API writes (esxi.transport auto)"))
	}
	return free
}

// do makes one change: over the API unless it goes straight to SSH, then
// over SSH if the API refused it with RestrictedVersion.
func (w *writes) do(ctx context.Context, what string, api, shell func() error) error {
	if !w.viaShell(ctx) {
		if w.d.dry() {
			return api()
		}
		if w.sh == nil {
			if err := api(); !client.IsRestricted(err) {
				return err
			}
			return fmt.Errorf("%s: %w", what, ErrNoShell)
		}
		if fallback, _, err := w.refusals.Try(api); !fallback {
			return err
		}
	}
	w.noteShell(ctx, what)
	return shell()
}

// noteShell says that a step goes over SSH, and why.
func (w *writes) noteShell(ctx context.Context, what string) {
	if w.d.dry() {
		return
	}
	why := "the host's licence refuses API writes"
	if w.d.ShellFirst {
		why = "esxi.transport is ssh"
	}
	note(ctx, w.d, "%s over SSH: %s", what, why)
}

// shell is the SSH host, a dry run's when the engine only plans.
func (w *writes) shell() vm.Host {
	if w.d.dry() {
		return w.sh.DryRun(w.d.Plan)
	}
	return w.sh
}

// ref names an API VM for the SSH host.
func ref(v esxihost.VM, name string) vm.VMRef {
	if v == nil {
		return vm.VMRef{Name: name}
	}
	return vm.VMRef{ID: v.Reference().Value, Name: name}
}

// powerOff powers the VM off at once.
func (w *writes) powerOff(ctx context.Context, v esxihost.VM, name string) error {
	return w.do(ctx, "powering off "+name, func() error { return w.api.PowerOff(ctx, v) },
		func() error { return w.shell().Power(ctx, ref(v, name), vm.PowerOff) })
}

// powerOn powers the VM on.
func (w *writes) powerOn(ctx context.Context, v esxihost.VM, name string) error {
	return w.do(ctx, "powering on "+name, func() error { return w.api.PowerOn(ctx, v) },
		func() error { return w.shell().Power(ctx, ref(v, name), vm.PowerOn) })
}

// shutdownGuest asks the guest to shut down and returns at once.
func (w *writes) shutdownGuest(ctx context.Context, v esxihost.VM, name string) error {
	return w.do(ctx, "shutting down "+name, func() error { return w.api.ShutdownGuest(ctx, v) },
		func() error { return w.shell().Power(ctx, ref(v, name), vm.PowerShutdown) })
}

// removeSnapshot removes the snapshot snap (its API reference) of the VM.
func (w *writes) removeSnapshot(ctx context.Context, v esxihost.VM, name string, snap esxihost.Snapshot) error {
	return w.do(ctx, fmt.Sprintf("removing snapshot %q of %s", snap.Name, name),
		func() error { return w.api.RemoveSnapshot(ctx, v, snap.Ref, snap.Name) },
		func() error { return w.shell().RemoveSnapshot(ctx, ref(v, name), shellSnapshotRef(snap)) })
}

// shellSnapshotRef is what the SSH host takes for a snapshot: its API
// reference, or in a dry run (which took none) its name, which the plan
// shows as $snapshot.
func shellSnapshotRef(s esxihost.Snapshot) string {
	if s.Ref == "" {
		return s.Name
	}
	return s.Ref
}

// createSnapshot takes the backup's snapshot, quiesced when asked.
func (w *writes) createSnapshot(ctx context.Context, v esxihost.VM, name, snap, desc string, quiesce bool) (string, error) {
	var r string
	err := w.do(ctx, fmt.Sprintf("taking snapshot %q of %s", snap, name),
		func() (err error) { r, err = w.api.CreateSnapshot(ctx, v, snap, desc, quiesce); return err },
		func() (err error) { r, err = w.shellSnapshot(ctx, v, name, snap, desc, quiesce); return err })
	return r, err
}

// shellSnapshot runs vim-cmd vmsvc/snapshot.create VMID NAME DESC 0 Q and
// finds the new snapshot's reference over the API (reads need no licence).
func (w *writes) shellSnapshot(ctx context.Context, v esxihost.VM, name, snap, desc string, quiesce bool) (string, error) {
	vmid, err := w.vmid(ctx, v, name)
	if err != nil {
		return "", err
	}
	cmd, err := ssh.SnapshotCreate(vmid, snap, desc, false, quiesce)
	if err != nil {
		return "", err
	}
	if err := w.exec(ctx, cmd, "takes the snapshot; 1 as the last word: quiesced by VMware Tools"); err != nil {
		return "", fmt.Errorf("taking snapshot %q of %s over ssh: %w", snap, name, err)
	}
	if w.d.dry() {
		return "", nil
	}
	snaps, err := w.api.Snapshots(ctx, v)
	if err != nil {
		return "", err
	}
	found := ""
	for _, s := range snaps {
		if s.Name == snap {
			found = s.Ref
		}
	}
	if found == "" {
		return "", fmt.Errorf("taking snapshot %q of %s over ssh: %w: the VM does not list it", snap, name, client.ErrNotFound)
	}
	return found, nil
}
