package vm

import (
	"context"
	"fmt"
	"sort"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// inventory is what the lifecycle needs to know about a host before it
// changes anything, read in one retrieval.
type inventory struct {
	datacenter types.ManagedObjectReference
	vmFolder   types.ManagedObjectReference
	pool       types.ManagedObjectReference
	host       types.ManagedObjectReference
	datastores map[string]datastoreInfo
	networks   map[string]types.ManagedObjectReference
	vms        map[string][]types.ManagedObjectReference
	vmPaths    map[types.ManagedObjectReference]string // .vmx of each VM
	limits     HostLimits                              // the host's size
}

type datastoreInfo struct {
	ref        types.ManagedObjectReference
	browser    types.ManagedObjectReference
	accessible bool
	free       int64
}

// inventoryTypes are the managed objects an inventory holds.
var inventoryTypes = []string{"Datacenter", "Datastore", "Network", "ComputeResource", "HostSystem", "VirtualMachine"}

// loadInventory reads the host's inventory through a container view: one
// retrieval whatever the number of VMs (three round trips with the view's
// creation and removal). The view, unlike a traversal of the folders, reads
// each object under its lock on the host.
func loadInventory(ctx context.Context, c *client.Client) (*inventory, error) {
	vc := c.Vim()
	v, err := view.NewManager(vc).CreateContainerView(ctx, vc.ServiceContent.RootFolder, inventoryTypes, true)
	if err != nil {
		return nil, fmt.Errorf("reading the host's inventory: %w", client.Classify(err))
	}
	defer func() { _ = v.Destroy(context.WithoutCancel(ctx)) }()
	prop := func(typ string, paths ...string) types.PropertySpec {
		return types.PropertySpec{Type: typ, PathSet: paths}
	}
	req := types.RetrieveProperties{
		This: vc.ServiceContent.PropertyCollector,
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{
				Obj:  v.Reference(),
				Skip: types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{
					&types.TraversalSpec{Type: "ContainerView", Path: "view"},
				},
			}},
			PropSet: []types.PropertySpec{
				prop("Datacenter", "vmFolder"),
				prop("Datastore", "name", "browser", "summary.accessible", "summary.freeSpace", "summary.capacity"),
				prop("HostSystem", "name", "summary.hardware"),
				prop("Network", "name"),
				prop("ComputeResource", "resourcePool", "host"),
				prop("VirtualMachine", "name", "summary.config.vmPathName"),
			},
		}},
	}
	res, err := methods.RetrieveProperties(ctx, vc, &req)
	if err != nil {
		return nil, fmt.Errorf("reading the host's inventory: %w", client.Classify(err))
	}
	inv := &inventory{
		limits:     HostLimits{DatastoreBytes: map[string]int64{}},
		datastores: map[string]datastoreInfo{},
		networks:   map[string]types.ManagedObjectReference{},
		vms:        map[string][]types.ManagedObjectReference{},
		vmPaths:    map[types.ManagedObjectReference]string{},
	}
	for _, oc := range res.Returnval {
		inv.add(oc)
	}
	if inv.vmFolder.Value == "" || inv.pool.Value == "" {
		return nil, fmt.Errorf("reading the host's inventory: no VM folder or resource pool found")
	}
	return inv, nil
}

func (inv *inventory) add(oc types.ObjectContent) {
	props := map[string]any{}
	for _, p := range oc.PropSet {
		props[p.Name] = p.Val
	}
	str := func(k string) string { s, _ := props[k].(string); return s }
	ref := func(k string) types.ManagedObjectReference {
		r, _ := props[k].(types.ManagedObjectReference)
		return r
	}
	switch oc.Obj.Type {
	case "Datacenter":
		if inv.datacenter.Value == "" {
			inv.datacenter, inv.vmFolder = oc.Obj, ref("vmFolder")
		}
	case "Datastore":
		acc, _ := props["summary.accessible"].(bool)
		free, _ := props["summary.freeSpace"].(int64)
		capacity, _ := props["summary.capacity"].(int64)
		inv.datastores[str("name")] = datastoreInfo{ref: oc.Obj, browser: ref("browser"), accessible: acc, free: free}
		inv.limits.DatastoreBytes[str("name")] = capacity
	case "HostSystem":
		if hw, ok := props["summary.hardware"].(types.HostHardwareSummary); ok && inv.limits.Host == "" {
			inv.limits.Host, inv.limits.LogicalCPUs, inv.limits.MemoryMB = str("name"), int32(hw.NumCpuThreads), hw.MemorySize>>20
		}
	case "Network":
		inv.networks[str("name")] = oc.Obj
	case "VirtualMachine":
		inv.vms[str("name")] = append(inv.vms[str("name")], oc.Obj)
		inv.vmPaths[oc.Obj] = str("summary.config.vmPathName")
	default: // ComputeResource and its subtypes
		if inv.pool.Value == "" {
			inv.pool = ref("resourcePool")
			if hosts, ok := props["host"].(types.ArrayOfManagedObjectReference); ok && len(hosts.ManagedObjectReference) > 0 {
				inv.host = hosts.ManagedObjectReference[0]
			}
		}
	}
}

// vm returns the one VM called name.
func (inv *inventory) vm(name string) (types.ManagedObjectReference, error) {
	switch refs := inv.vms[name]; len(refs) {
	case 0:
		return types.ManagedObjectReference{}, fmt.Errorf("%w: %q (see ceso vm list)", ErrNotFound, name)
	case 1:
		return refs[0], nil
	default:
		return types.ManagedObjectReference{}, fmt.Errorf("%w: %q matches %d VMs", ErrAmbiguous, name, len(refs))
	}
}

// nameOf returns the name of a VM of the inventory.
func (inv *inventory) nameOf(ref types.ManagedObjectReference) string {
	for name, refs := range inv.vms {
		for _, r := range refs {
			if r == ref {
				return name
			}
		}
	}
	return ""
}

// datastore returns the datastore called name, which must be accessible.
func (inv *inventory) datastore(name string) (datastoreInfo, error) {
	ds, ok := inv.datastores[name]
	if !ok {
		return ds, fmt.Errorf("%w: %q; the host has %s", ErrDatastoreNotFound, name, quoteList(keys(inv.datastores)))
	}
	if !ds.accessible {
		return ds, fmt.Errorf("%w: datastore %q is not accessible", ErrDatastoreNotFound, name)
	}
	return ds, nil
}

// network returns the port group called name.
func (inv *inventory) network(name string) (types.ManagedObjectReference, error) {
	n, ok := inv.networks[name]
	if !ok {
		return n, fmt.Errorf("%w: %q; the host has %s", ErrNetworkNotFound, name, quoteList(keys(inv.networks)))
	}
	return n, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", n)
	}
	return s
}
