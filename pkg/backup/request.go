package backup

import (
	"fmt"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/errkind"
)

// DefaultShutdownTimeout is how long a cold backup waits for the guest to
// shut down before it powers the VM off.
const DefaultShutdownTimeout = 5 * time.Minute

// CreateRequest asks for a backup of one VM.
type CreateRequest struct {
	// VM is the name of the VM to back up.
	VM string
	// Target is the name of the target; "" is the default target.
	Target string
	// Description is the operator's note, kept in the catalog.
	Description string
	// PowerOff makes the backup of a running VM cold: guest shutdown, a
	// hard power-off after ShutdownTimeout, and the VM powered on again
	// afterwards, whether the backup succeeded or not. Without it a running
	// VM is backed up hot: from a snapshot (quiesced when VMware Tools
	// run), its disks read while it keeps running.
	PowerOff bool
	// ShutdownTimeout bounds the guest shutdown (DefaultShutdownTimeout
	// when 0).
	ShutdownTimeout time.Duration
	// Uncompressed stores the disks as exported (the CLI's --compress=false).
	// Deps.Compression.Algorithm "none" does the same.
	Uncompressed bool
	// Verify re-reads every stored byte before the backup is recorded, and
	// records the verification.
	Verify bool
	// Readers is the number of Range requests a hot backup keeps in flight
	// on each disk (DefaultReaders when 0).
	Readers int
}

// DefaultReaders is how many Range requests a hot backup keeps in flight
// on a disk: enough to hide a round trip per chunk on a remote host.
const DefaultReaders = 4

// MaxReaders bounds CreateRequest.Readers: each holds a chunk in memory
// and a connection to the host.
const MaxReaders = 32

func (r CreateRequest) validate() error {
	if r.VM == "" {
		return fmt.Errorf("%w: no VM named", ErrInvalidRequest)
	}
	if r.ShutdownTimeout < 0 {
		return fmt.Errorf("%w: negative shutdown timeout", ErrInvalidRequest)
	}
	if r.Readers < 0 || r.Readers > MaxReaders {
		return fmt.Errorf("%w: readers %d: want 1 to %d", ErrInvalidRequest, r.Readers, MaxReaders)
	}
	return nil
}

func (r CreateRequest) readers() int {
	if r.Readers == 0 {
		return DefaultReaders
	}
	return r.Readers
}

func (r CreateRequest) shutdownTimeout() time.Duration {
	if r.ShutdownTimeout == 0 {
		return DefaultShutdownTimeout
	}
	return r.ShutdownTimeout
}

// RestoreRequest asks for a backup to be restored as a VM.
type RestoreRequest struct {
	// ID is the backup's ID.
	ID string
	// AsNew is the name of the new VM. Exactly one of AsNew and Replace is
	// set.
	AsNew string
	// Replace restores under the original name: the existing VM (powered
	// off first, see ShutdownTimeout) is renamed aside and removed only
	// once the restored VM is whole; if the restore fails it gets its name
	// and power state back.
	Replace bool
	// Force lets Replace shut a running VM down (see ShutdownTimeout);
	// without it a running VM is refused with ErrPoweredOn and nothing
	// changes.
	Force bool
	// ShutdownTimeout bounds the guest shutdown of the VM being replaced
	// (DefaultShutdownTimeout when 0).
	ShutdownTimeout time.Duration
	// PowerOn starts the restored VM.
	PowerOn bool
	// Hostname is the guest's new host name; the new VM's name when empty.
	Hostname string
	// NICs are the guest's network settings, applied by cloud-init on
	// first boot. Empty: for AsNew, DHCP on the first adapter; for
	// Replace, the backup's own addresses, bound to the new adapters.
	NICs []cloudinit.NIC
	// Datastore receives the VM; the backed-up VM's datastore when empty.
	Datastore string
	// NetworkMap maps a network of the backup to a port group of the host
	// by name; a network not in the map goes to the port group of its own
	// name.
	NetworkMap map[string]string
}

func (r RestoreRequest) validate() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("%w: no backup ID", ErrInvalidRequest)
	case r.AsNew == "" && !r.Replace:
		return fmt.Errorf("%w: name the new VM (--as-new NAME) or replace the original (--replace)", ErrInvalidRequest)
	case r.AsNew != "" && r.Replace:
		return fmt.Errorf("%w: --as-new and --replace exclude each other", ErrInvalidRequest)
	case r.ShutdownTimeout < 0:
		return fmt.Errorf("%w: negative shutdown timeout", ErrInvalidRequest)
	case r.Force && !r.Replace:
		return fmt.Errorf("%w: force goes with replace", ErrInvalidRequest)
	}
	return nil
}

// RestoreResult describes the restored VM.
type RestoreResult struct {
	// BackupID is the backup restored.
	BackupID string `json:"backup_id"`
	// VM is the restored VM's name.
	VM string `json:"vm_name"`
	// UUID is its new BIOS UUID; MACs are its adapters' new addresses.
	UUID string   `json:"uuid"`
	MACs []string `json:"macs"`
	// InstanceID is the new cloud-init instance-id ("" when the backup
	// had no cloud-init guestinfo).
	InstanceID string `json:"instance_id"`
	// PoweredOn says whether the VM was started.
	PoweredOn bool `json:"powered_on"`
	// Replaced is true when an existing VM was replaced and removed.
	Replaced bool `json:"replaced"`
	// Bytes is the number of disk bytes uploaded.
	Bytes int64 `json:"bytes"`
}

// statusOf sorts an outcome for the Observer.
func statusOf(err error) string {
	switch {
	case err == nil:
		return StatusSuccess
	case errkind.Of(err) == errkind.Refused || errkind.Of(err) == errkind.Usage:
		return StatusRefused
	}
	return StatusFailure
}

// dirOf is the directory of an entry's files on its target.
func dirOf(e storage.Entry) string {
	if p := e.Metadata[metaPath]; p != "" {
		return p
	}
	return archive.Dir(e.VMName, e.ID)
}

// Keys of storage.Entry.Metadata written by Create.
const (
	metaPath         = "path"
	metaVersion      = "ceso_version"
	metaESXiVersion  = "esxi_version"
	metaESXiBuild    = "esxi_build"
	metaDisks        = "disks"
	metaUncompressed = "uncompressed_bytes"
	metaCompression  = "compression"
	metaColdBackup   = "powered_off_for_backup"
	metaConsistency  = "consistency"
	metaVMUUID       = "vm_uuid"
)
