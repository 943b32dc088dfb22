package vm

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
)

// HostLimits are the sizes this host can give one VM: what it reports of
// itself, below ESXi's configuration maximums.
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

// ReadHostLimits reads the host's hardware summary and its datastores'
// capacities: two property reads, no change.
func ReadHostLimits(ctx context.Context, c *client.Client) (HostLimits, error) {
	m := view.NewManager(c.Vim())
	root := c.Vim().ServiceContent.RootFolder
	lim := HostLimits{DatastoreBytes: map[string]int64{}}
	hv, err := m.CreateContainerView(ctx, root, []string{"HostSystem"}, true)
	if err != nil {
		return lim, fmt.Errorf("reading the host's hardware: %w", client.Classify(err))
	}
	var hosts []mo.HostSystem
	err = hv.Retrieve(ctx, []string{"HostSystem"}, []string{"name", "summary.hardware"}, &hosts)
	_ = hv.Destroy(context.WithoutCancel(ctx))
	if err != nil {
		return lim, fmt.Errorf("reading the host's hardware: %w", client.Classify(err))
	}
	if len(hosts) > 0 && hosts[0].Summary.Hardware != nil {
		hw := hosts[0].Summary.Hardware
		lim.Host, lim.LogicalCPUs, lim.MemoryMB = hosts[0].Name, int32(hw.NumCpuThreads), hw.MemorySize>>20
	}
	dv, err := m.CreateContainerView(ctx, root, []string{"Datastore"}, true)
	if err != nil {
		return lim, fmt.Errorf("reading the datastores: %w", client.Classify(err))
	}
	var dss []mo.Datastore
	err = dv.Retrieve(ctx, []string{"Datastore"}, []string{"summary.name", "summary.capacity"}, &dss)
	_ = dv.Destroy(context.WithoutCancel(ctx))
	if err != nil {
		return lim, fmt.Errorf("reading the datastores: %w", client.Classify(err))
	}
	for _, ds := range dss {
		lim.DatastoreBytes[ds.Summary.Name] = ds.Summary.Capacity
	}
	return lim, nil
}

// Check refuses sizes this host cannot give: more vCPUs than its logical
// CPUs, more memory than its physical memory, a disk larger than the whole
// datastore it goes on (with datastore "", the source's, than the largest
// datastore). Zero sizes keep the source's and pass; a limit the host did
// not report is not applied.
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
	if datastore == "" {
		var largest int64
		for name, capacity := range l.DatastoreBytes {
			if capacity > largest || (capacity == largest && name < datastore) {
				largest, datastore = capacity, name
			}
		}
	}
	if capacity, ok := l.DatastoreBytes[datastore]; ok && capacity > 0 && diskBytes > capacity {
		return fmt.Errorf("%w: disk size %d bytes: larger than datastore %s's whole capacity (%d bytes)", ErrInvalidSpec, diskBytes, datastore, capacity)
	}
	return nil
}
