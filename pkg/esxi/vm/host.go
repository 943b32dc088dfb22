package vm

import (
	"context"

	"github.com/ceso/ceso/pkg/ops"
)

// Host is the set of changes the lifecycle makes on an ESXi host: making and
// removing datastore folders, copying and growing virtual disks, registering
// a new VM, changing its power state, snapshots and destroying it. Create,
// Clone, Delete and Power decide what to do and read the host over the API;
// every change goes through a Host, so that the transport can be swapped.
//
// APIHost makes the changes over the vSphere API. A host on the free licence
// refuses those writes (client.ErrRestrictedVersion); an implementation that
// runs vim-cmd and vmkfstools over SSH can then stand in for it.
//
// Paths are datastore paths: "[datastore1] web01" for a folder,
// "[datastore1] web01/web01.vmdk" for a disk (its descriptor; the data
// extent follows it). Every method returns errors classified with
// client.Classify (or the SSH transport's sentinels). Implementations must
// be safe for concurrent use: PowerMany shares one between its workers.
type Host interface {
	// MakeDir creates a folder on a datastore. Its parent must exist.
	MakeDir(ctx context.Context, dir string) error
	// DeleteDir removes a folder and everything in it.
	DeleteDir(ctx context.Context, dir string) error
	// CopyDisk copies the virtual disk src to dst, thin provisioned. The
	// folder of dst must exist and dst must not. controller is the kind of
	// controller the disk hangs on (see Controller.Kind), which decides the
	// adapter type written into the new descriptor.
	CopyDisk(ctx context.Context, src, dst, controller string) error
	// DeleteDisk removes a virtual disk: descriptor and data.
	DeleteDisk(ctx context.Context, path string) error
	// CopyFile copies a datastore file that is not a disk (the NVRAM) to
	// dst. The folder of dst must exist.
	CopyFile(ctx context.Context, src, dst string) error
	// CreateVM registers a new VM built from vm, whose disks already exist,
	// and returns it. The host generates the MAC addresses and UUIDs.
	CreateVM(ctx context.Context, vm *NewVM) (VMRef, error)
	// GrowDisk enlarges the disk at path of a powered-off VM to capacity
	// bytes. It never shrinks.
	GrowDisk(ctx context.Context, vm VMRef, path string, capacity int64) error
	// Power changes the power state of vm. PowerShutdown only asks the
	// guest to shut down (VMware Tools must run) and returns at once.
	Power(ctx context.Context, vm VMRef, op PowerOp) error
	// Destroy unregisters vm and deletes its files. It must be powered off.
	Destroy(ctx context.Context, vm VMRef) error
	// CreateSnapshot takes a snapshot of vm's disks without memory and
	// returns its id.
	CreateSnapshot(ctx context.Context, vm VMRef, name string) (string, error)
	// RemoveSnapshot deletes the snapshot id of vm, merging its changes
	// into the base disks.
	RemoveSnapshot(ctx context.Context, vm VMRef, id string) error
	// DryRun returns a Host that changes nothing: each call reports the
	// step it would take through record (the exact API call or shell
	// command) and succeeds.
	DryRun(record func(ops.Step)) Host
}

// VMRef names a VM on a host.
type VMRef struct {
	// ID is the managed object id, which on a standalone host is also
	// vim-cmd's vmid ("12"). It is empty for a VM that only exists in a
	// dry run.
	ID string
	// Name is the VM's display name.
	Name string
}

// NewVM describes a VM to register: its hardware, disks (already on the
// datastore) and network adapters. Whatever is not listed here (CD-ROM and
// floppy drives, serial ports, USB controllers, PCI passthrough) is not
// created.
type NewVM struct {
	Name string
	// Path is the datastore path of the .vmx: "[datastore1] web01/web01.vmx".
	Path string
	// Datastore holds Path and the disks.
	Datastore string
	Hardware
	// Disks are attached in order.
	Disks []DiskAttachment
	// NICs are added in order, each with a MAC address the host generates.
	NICs []NetworkAdapter
	// ExtraConfig are advanced settings, guestinfo keys among them.
	ExtraConfig map[string]string
	// NVRAM names the VM's NVRAM file in its folder ("web01.nvram", the
	// .vmx key nvram), copied there from the template or source before the
	// VM is created; "" when the source has none (never powered on): the
	// host then makes one at the first power-on.
	NVRAM string
}

// Hardware is what a new VM takes over from its template or source.
type Hardware struct {
	GuestID        string // "ubuntu64Guest"
	Firmware       string // "efi" or "bios"
	Version        string // virtual hardware version, "vmx-21"; "" = the host's default
	CPU            int32
	CoresPerSocket int32
	MemoryMB       int64
	SecureBoot     bool
	NestedHV       bool
	CPUHotAdd      bool
	MemoryHotAdd   bool
	// Controllers are the storage controllers disks attach to.
	Controllers []Controller
}

// Controller is a storage controller of a new VM.
type Controller struct {
	// Kind is "pvscsi", "lsilogic", "lsilogic-sas", "buslogic", "nvme",
	// "sata" or "ide".
	Kind string
	// Bus is the controller's bus number (scsi0 is bus 0).
	Bus int32
}

// DiskAttachment attaches an existing disk to a new VM.
type DiskAttachment struct {
	// Path is the datastore path of the disk's descriptor.
	Path string
	// Controller indexes Hardware.Controllers.
	Controller int
	// Unit is the disk's unit number on the controller.
	Unit int32
	// CapacityBytes is the disk's size.
	CapacityBytes int64
	// Mode is the disk mode: "persistent" (the default), "independent_persistent", ...
	Mode string
}

// NetworkAdapter is a network adapter of a new VM.
type NetworkAdapter struct {
	// Kind is "vmxnet3", "e1000e", "e1000", "vmxnet2" or "pcnet32".
	Kind string
	// Network is the port group: "VM Network".
	Network string
}
