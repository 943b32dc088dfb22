package operations

import (
	"fmt"

	"github.com/ceso/ceso/pkg/cloudinit"
)

// ESXi 8.0's configuration maximums for one VM (Broadcom's "VMware
// Configuration Maximums", vSphere 8.0, Virtual Machine Maximums): 768
// virtual CPUs, 24 TB of memory; a virtual disk on VMFS6 is at most
// 62 TB.
const (
	MaxCPU       = 768
	MaxMemoryMB  = 24 << 20 // 24 TiB in MiB
	MinMemoryMB  = 4
	MaxDiskBytes = 62 << 40
)

// Hardware are the sizes a new VM may change from its template or source;
// zero keeps the source's.
type Hardware struct {
	CPU           int32 `json:"cpu,omitempty" jsonschema:"virtual CPUs; 0 or absent keeps the template's"`
	MemoryMB      int64 `json:"memory_mb,omitempty" jsonschema:"memory in MiB; 0 or absent keeps the template's"`
	DiskSizeBytes int64 `json:"disk_size_bytes,omitempty" jsonschema:"grow the first disk to this many bytes; 0 or absent keeps its size"`
}

// Validate checks the sizes against ESXi's maximums.
func (h Hardware) Validate() error {
	switch {
	case h.CPU < 0 || h.CPU > MaxCPU:
		return fmt.Errorf("cpu %d: want 1 to %d (ESXi's maximum)", h.CPU, MaxCPU)
	case h.MemoryMB < 0 || (h.MemoryMB > 0 && h.MemoryMB < MinMemoryMB):
		return fmt.Errorf("memory_mb %d: want at least %d MiB", h.MemoryMB, MinMemoryMB)
	case h.MemoryMB > MaxMemoryMB:
		return fmt.Errorf("memory_mb %d: more than ESXi's maximum of 24 TiB per VM", h.MemoryMB)
	case h.DiskSizeBytes < 0:
		return fmt.Errorf("disk_size_bytes %d: want a positive size", h.DiskSizeBytes)
	case h.DiskSizeBytes > MaxDiskBytes:
		return fmt.Errorf("disk_size_bytes %d: more than the 62 TiB a virtual disk on VMFS can hold", h.DiskSizeBytes)
	}
	return nil
}

// PowerOnWait is whether to start a new VM and how long to wait for its
// address.
type PowerOnWait struct {
	PowerOn bool     `json:"power_on,omitempty" jsonschema:"power the VM on once made"`
	WaitIP  Duration `json:"wait_ip,omitempty" jsonschema:"with power_on, wait up to this long for the guest's IP address"`
}

// Validate checks that WaitIP goes with PowerOn.
func (w PowerOnWait) Validate() error {
	if w.WaitIP < 0 || (w.WaitIP > 0 && !w.PowerOn) {
		return fmt.Errorf("wait_ip needs power_on and a positive duration")
	}
	return nil
}

// withHostname returns spec with the hostname defaulted from the VM name.
func withHostname(spec cloudinit.Spec, name string) cloudinit.Spec {
	if spec.Hostname == "" {
		spec.Hostname = cloudinit.HostnameFromName(name)
	}
	return spec
}

// changesAccounts reports whether spec says anything about accounts or
// user-data: then a clone or restore gets a whole new cloud-init config;
// otherwise it keeps its source's and only its identity and network change.
func changesAccounts(spec cloudinit.Spec) bool {
	return len(spec.Users) > 0 || len(spec.SSHKeys) > 0 || spec.NoDefaultUser || len(spec.CloudConfig) > 0 ||
		len(spec.Packages) > 0 || len(spec.RunCmd) > 0 || len(spec.WriteFiles) > 0 || spec.Timezone != ""
}
