package vm

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// runVCenter makes the copy with CloneVM_Task, which a vCenter supports:
// same hardware, new MACs (every adapter set to a generated address), the
// first adapter moved to the requested network, the guestinfo keys set and
// stale cloud-init keys of the source cleared. Growing the disk, power and
// the wait for an address follow as on a standalone host.
func (p *copyPlan) runVCenter(ctx context.Context, c *client.Client, j *job) (*Result, error) {
	spec, err := p.vcenterCloneSpec()
	if err != nil {
		return nil, err
	}
	folder := p.inv.vmFolder
	var ref VMRef
	if j.dry() {
		j.record(ops.Step{Via: "api", Action: fmt.Sprintf("VirtualMachine.CloneVM_Task %s -> %s (%s)", p.src.name, p.vm.Name, p.vm.Describe())})
		return p.finish(ctx, c, j, VMRef{Name: p.vm.Name})
	}
	undo := &undoStep{what: "VM " + p.vm.Name, remove: removeVMHint(VMRef{Name: p.vm.Name}), fn: func(ctx context.Context) error {
		if ref.ID == "" {
			return nil
		}
		return ignoreNotFound(j.h.Destroy(ctx, ref))
	}}
	err = j.do(ctx, fmt.Sprintf("cloning %s to %s", p.src.name, p.vm.Name), func(ctx context.Context) error {
		req := types.CloneVM_Task{This: p.src.ref, Folder: folder, Name: p.vm.Name, Spec: spec}
		res, err := runTask(ctx, c, func(ctx context.Context) (*object.Task, error) {
			r, err := methods.CloneVM_Task(ctx, c.Vim(), &req)
			if err != nil {
				return nil, err
			}
			return object.NewTask(c.Vim(), r.Returnval), nil
		})
		if err != nil {
			return err
		}
		moref, ok := res.(types.ManagedObjectReference)
		if !ok {
			return fmt.Errorf("the clone task returned %T, not a VM", res)
		}
		ref = VMRef{ID: moref.Value, Name: p.vm.Name}
		return nil
	}, undo)
	if err != nil {
		return nil, err
	}
	if p.grow > 0 {
		// The clone's disks are named by vCenter: grow the one it made.
		if cur, err := describeNew(ctx, c, ref); err == nil && len(cur.Disks) > 0 {
			p.vm.Disks[0].Path = cur.Disks[0]
		}
	}
	return p.finish(ctx, c, j, ref)
}

// vcenterCloneSpec builds the CloneVM_Task spec.
func (p *copyPlan) vcenterCloneSpec() (types.VirtualMachineCloneSpec, error) {
	ds, err := p.inv.datastore(p.vm.Datastore)
	if err != nil {
		return types.VirtualMachineCloneSpec{}, err
	}
	pool := p.inv.pool
	if p.src.pool != nil {
		pool = *p.src.pool
	}
	cfg := &types.VirtualMachineConfigSpec{
		NumCPUs:     p.vm.CPU,
		MemoryMB:    p.vm.MemoryMB,
		ExtraConfig: extraConfig(p.cloneExtraConfig()),
	}
	if p.vm.CoresPerSocket > 0 {
		cfg.NumCoresPerSocket = types.NewInt32(p.vm.CoresPerSocket)
	}
	nics := p.src.devices.SelectByType((*types.VirtualEthernetCard)(nil))
	for i, d := range nics {
		card := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		card.AddressType = string(types.VirtualEthernetCardMacTypeGenerated)
		card.MacAddress = ""
		if i == 0 && p.r.network != "" {
			netRef, err := p.inv.network(p.r.network)
			if err != nil {
				return types.VirtualMachineCloneSpec{}, err
			}
			card.Backing = &types.VirtualEthernetCardNetworkBackingInfo{
				VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: p.r.network},
				Network:                        &netRef,
			}
		}
		cfg.DeviceChange = append(cfg.DeviceChange, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: d})
	}
	return types.VirtualMachineCloneSpec{
		Location: types.VirtualMachineRelocateSpec{Datastore: &ds.ref, Pool: &pool},
		Config:   cfg,
	}, nil
}

// cloneExtraConfig is the new VM's settings over the source's, which a
// vCenter clone copies: cloud-init keys the new identity lacks are cleared
// (an empty value removes a key).
func (p *copyPlan) cloneExtraConfig() map[string]string {
	guest := map[string]string{}
	out := map[string]string{}
	for k, v := range p.vm.ExtraConfig {
		if strings.HasPrefix(k, "guestinfo.") {
			guest[k] = v
		} else {
			out[k] = v
		}
	}
	for k, v := range cloudinit.ForExtraConfig(guest) {
		out[k] = v
	}
	return out
}
