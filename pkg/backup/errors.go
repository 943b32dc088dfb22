package backup

import (
	"fmt"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
)

var (
	// ErrPoweredOn: the VM is powered on and the operation (a restore
	// replacing it) was not allowed to power it off.
	ErrPoweredOn = errkind.New(errkind.Refused, "the VM is powered on")
	// ErrSuspended: the VM is suspended; powering it off would lose its
	// memory state, so ceso does not.
	ErrSuspended = errkind.New(errkind.Refused, "the VM is suspended")
	// ErrCorrupt: a stored backup does not match its manifest: a file is
	// missing, changed, or does not decompress.
	ErrCorrupt = errkind.New(errkind.Unknown, "the backup is damaged")
	// ErrNotComplete: the backup is not complete (being deleted, or failed)
	// and cannot be verified or restored.
	ErrNotComplete = errkind.New(errkind.Refused, "the backup is not complete")
	// ErrLastGood: the deletion would remove the last good backup of a VM.
	ErrLastGood = errkind.New(errkind.Refused, "refusing to delete the last good backup of a VM")
	// ErrVMExists: a VM of the name to restore to exists.
	ErrVMExists = errkind.New(errkind.Refused, "a VM of that name already exists")
	// ErrPartial: an operation on several backups failed for some of them.
	ErrPartial = errkind.New(errkind.Partial, "some backups failed")
	// ErrInvalidRequest: the request is incomplete or contradictory.
	ErrInvalidRequest = errkind.New(errkind.Usage, "invalid backup request")
	// ErrNoNVRAM: an EFI VM has no NVRAM file the backup can read; a copy
	// without it may not boot, and loses its boot entries and Secure Boot
	// keys.
	ErrNoNVRAM = errkind.New(errkind.Refused, "the EFI VM has no NVRAM file to back up")
	// ErrSnapshots: a running VM has snapshots; a hot backup reads flat
	// disks only.
	ErrSnapshots = errkind.New(errkind.Refused, "the VM has snapshots")
	// ErrNoShell: the host's licence refuses a change over the API
	// (RestrictedVersion, which it wraps) and ceso may not use SSH
	// (esxi.transport api).
	ErrNoShell = fmt.Errorf("%w: set esxi.transport to auto (or ssh) and enable SSH on the host, so that ceso can make it with the host's own tools", client.ErrRestrictedVersion)
	// ErrMissingDependency: Deps lacks what the operation needs.
	ErrMissingDependency = errkind.New(errkind.Config, "the backup engine is missing a dependency")
)
