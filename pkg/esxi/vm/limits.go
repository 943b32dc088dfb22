package vm

import "fmt"

// HostLimits are the sizes this host can give one VM: what it reports of
// itself (read with the rest of the inventory), below ESXi's configuration
// maximums.
type HostLimits struct {
	// Host is the host's name, for messages.
	Host string
	// LogicalCPUs is the host's hardware threads: a VM with more vCPUs
	// than that never powers on here.
	LogicalCPUs int32
	// MemoryMB is the host's physical memory in MiB.
	MemoryMB int64
	// DatastoreBytes is the capacity of each datastore, by name.
	DatastoreBytes map[string]int64
}

// Check refuses sizes this host cannot give: more vCPUs than its logical
// CPUs, more memory than its physical memory, a disk larger than the whole
// datastore it goes on. Zero sizes keep the source's and pass; a limit the
// host did not report is not applied.
func (l HostLimits) Check(cpu int32, memoryMB, diskBytes int64, datastore string) error {
	host := l.Host
	if host == "" {
		host = "the host"
	}
	if l.LogicalCPUs > 0 && cpu > l.LogicalCPUs {
		return fmt.Errorf("%w: cpu %d: %s has %d logical CPUs, and a VM with more vCPUs than that cannot power on", ErrInvalidSpec, cpu, host, l.LogicalCPUs)
	}
	if l.MemoryMB > 0 && memoryMB > l.MemoryMB {
		return fmt.Errorf("%w: memory %d MiB: %s has %d MiB of memory", ErrInvalidSpec, memoryMB, host, l.MemoryMB)
	}
	if capacity, ok := l.DatastoreBytes[datastore]; ok && capacity > 0 && diskBytes > capacity {
		return fmt.Errorf("%w: disk size %d bytes: larger than datastore %s's whole capacity (%d bytes)", ErrInvalidSpec, diskBytes, datastore, capacity)
	}
	return nil
}
