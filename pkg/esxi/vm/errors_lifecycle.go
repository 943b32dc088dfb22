package vm

import (
	"errors"

	"github.com/ceso/ceso/pkg/errkind"
)

// Errors of create, clone, delete and power. vSphere faults keep their
// client sentinels (client.ErrTaskInProgress, client.ErrNoDiskSpace, ...)
// in the chain, so callers test either with errors.Is.
var (
	// ErrInvalidName: a VM name breaks the naming rule (see ValidateName).
	ErrInvalidName = errkind.New(errkind.Usage, "invalid VM name")
	// ErrInvalidSpec: a create, clone or power request is malformed.
	ErrInvalidSpec = errkind.New(errkind.Usage, "invalid request")
	// ErrNameTaken: a VM of that name exists already.
	ErrNameTaken = errkind.New(errkind.Refused, "a VM of that name exists already")
	// ErrFolderExists: the new VM's folder exists on the datastore already.
	ErrFolderExists = errkind.New(errkind.Refused, "the VM's folder exists on the datastore already")
	// ErrTemplatePoweredOn: the template must be powered off to be copied.
	ErrTemplatePoweredOn = errkind.New(errkind.Refused, "the template is not powered off")
	// ErrNoDisks: the template or source has no virtual disk to copy.
	ErrNoDisks = errkind.New(errkind.Refused, "the template has no virtual disk")
	// ErrUnsupportedHardware: the template has a device the copy cannot reproduce.
	ErrUnsupportedHardware = errkind.New(errkind.Refused, "the template's hardware cannot be copied")
	// ErrSourcePoweredOn: a cold clone needs the source powered off.
	ErrSourcePoweredOn = errkind.New(errkind.Refused, "the source VM is powered on")
	// ErrPoweredOn: the VM must be powered off (delete without force).
	ErrPoweredOn = errkind.New(errkind.Refused, "the VM is powered on")
	// ErrDatastoreNotFound: the host has no datastore of that name.
	ErrDatastoreNotFound = errkind.New(errkind.NotFound, "datastore not found")
	// ErrNetworkNotFound: the host has no port group of that name.
	ErrNetworkNotFound = errkind.New(errkind.NotFound, "network (port group) not found")
	// ErrShrink: a disk can only grow.
	ErrShrink = errkind.New(errkind.Usage, "a disk cannot shrink")
	// ErrWaitTimeout: the guest did not reach the awaited state in time.
	ErrWaitTimeout = errkind.New(errkind.Timeout, "timed out waiting for the guest")
	// ErrLeftovers: a rollback or a delete could not remove everything. A
	// *StepError matches it with errors.Is; it never decides the kind.
	ErrLeftovers = errors.New("files or VMs were left on the host")
	// ErrPartial: some VMs of a batch failed.
	ErrPartial = errkind.New(errkind.Partial, "some VMs failed")
)
