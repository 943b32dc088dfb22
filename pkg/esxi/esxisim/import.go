package esxisim

import (
	"fmt"
	"path"
	"strings"

	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// ImportVApp creates the VM of an import spec and hands out a lease whose
// uploads are written into the VM's disks (vcsim's own ImportVApp hashes
// and drops them). A name in use is refused with DuplicateName, an unknown
// datastore with InvalidDatastorePath, as ESXi does.
func (d *detour) ImportVApp(ctx *simulator.Context, req *types.ImportVApp) soap.HasFault {
	fail := func(f types.BaseMethodFault) soap.HasFault {
		return &methods.ImportVAppBody{Fault_: faultOnly(f)}
	}
	spec, ok := req.Spec.(*types.VirtualMachineImportSpec)
	if !ok {
		return fail(&types.InvalidArgument{InvalidProperty: "spec"})
	}
	switch ctx.Map.Get(req.This).(type) {
	case *simulator.ResourcePool, *simulator.VirtualApp:
	default:
		return fail(&types.ManagedObjectNotFound{Obj: req.This})
	}
	folderRef := esx.Datacenter.VmFolder
	if req.Folder != nil {
		folderRef = *req.Folder
	}
	folder, ok := ctx.Map.Get(folderRef).(*simulator.Folder)
	if !ok {
		return fail(&types.ManagedObjectNotFound{Obj: folderRef})
	}
	config := spec.ConfigSpec
	if f := checkSpecDatastores(ctx, &config); f != nil {
		return fail(f)
	}
	var dup types.BaseMethodFault
	withVMFolder(ctx, func() { dup = vmNameTaken(ctx, config.Name, types.ManagedObjectReference{}) })
	if dup != nil {
		return fail(dup)
	}
	lease := d.sim.newLease(ctx, false)
	create := &types.CreateVM_Task{This: folder.Self, Config: config, Pool: req.This, Host: req.Host}
	simulator.CreateTask(req.This, "ImportVAppLRO", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		vm, fault := d.createImported(ctx, folder, create)
		if fault != nil {
			lease.fail(ctx, fault)
			return nil, fault
		}
		d.importReady(ctx, lease, vm)
		return nil, nil
	}).Run(ctx)
	return &methods.ImportVAppBody{Res: &types.ImportVAppResponse{Returnval: lease.Self}}
}

// createImported creates the VM, checking the name again under the folder
// lock so that two imports of one name cannot both succeed.
func (d *detour) createImported(ctx *simulator.Context, folder *simulator.Folder, req *types.CreateVM_Task) (*simulator.VirtualMachine, types.BaseMethodFault) {
	var taskRef types.ManagedObjectReference
	var fault types.BaseMethodFault
	ctx.WithLock(folder, func() {
		if fault = vmNameTaken(ctx, req.Config.Name, types.ManagedObjectReference{}); fault != nil {
			return
		}
		body, ok := folder.CreateVMTask(ctx, req).(*methods.CreateVM_TaskBody)
		if !ok || body.Res == nil {
			fault = &types.InvalidArgument{InvalidProperty: "spec"}
			return
		}
		taskRef = body.Res.Returnval
	})
	if fault != nil {
		return nil, fault
	}
	task, ok := ctx.Map.Get(taskRef).(*simulator.Task)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: taskRef}
	}
	task.Wait()
	var info types.TaskInfo
	ctx.WithLock(task, func() { info = task.Info })
	if info.Error != nil {
		return nil, info.Error.Fault
	}
	ref, _ := info.Result.(types.ManagedObjectReference)
	vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: ref}
	}
	ctx.WithLock(vm, func() { afterCreate(ctx, vm) })
	return vm, nil
}

// importReady publishes one upload URL per file-backed device of the VM
// ("disk-N.vmdk" for a disk, which takes a streamOptimized VMDK) and one
// for its NVRAM file ("disk-N.nvram", key "/vm-N/nvram", import key
// "/<name>/nvram", PUT only), as an ESXi 6.7 import lease listed them
// (nutanix/curie, curie/vsphere_vcenter.py).
func (d *detour) importReady(ctx *simulator.Context, lease *nfcLease, vm *simulator.VirtualMachine) {
	var files []vmFile
	var nvram string
	ctx.WithLock(vm, func() {
		files = vmFiles(ctx, vm)
		nvram, _ = localPath(ctx, nvramFile(&vm.VirtualMachine))
	})
	var urls []types.HttpNfcLeaseDeviceUrl
	var capacityKB int64
	disks := 0
	for _, f := range files {
		name := path.Base(f.path)
		if f.disk != nil {
			name = fmt.Sprintf("disk-%d.vmdk", disks)
			disks++
			capacityKB += diskCapacity(f.disk) / 1024
		}
		lease.addFile(name, &leaseFile{path: f.path, key: f.key, disk: f.disk != nil})
		urls = append(urls, types.HttpNfcLeaseDeviceUrl{
			Key:       f.key,
			ImportKey: f.importKey,
			Url:       fmt.Sprintf("https://*/nfc/%s/%s", lease.id, name),
			TargetId:  name,
			Disk:      types.NewBool(f.disk != nil),
		})
	}
	if nvram != "" {
		name := fmt.Sprintf("disk-%d.nvram", len(files))
		key := fmt.Sprintf("/%s/nvram", vm.Self.Value)
		lease.addFile(name, &leaseFile{path: nvram, key: key, nvram: true})
		urls = append(urls, types.HttpNfcLeaseDeviceUrl{
			Key:       key,
			ImportKey: fmt.Sprintf("/%s/nvram", vm.Name),
			Url:       fmt.Sprintf("https://*/nfc/%s/%s", lease.id, name),
			Disk:      types.NewBool(false),
		})
	}
	lease.ready(ctx, vm.Self, urls, capacityKB)
}

// CreateImportSpec runs vcsim's, then applies what vcsim ignores and ESXi
// honours: the firmware and other vmw:Config settings, vmw:ExtraConfig
// entries, vmw:CoresPerSocket, and an NVRAM file the descriptor refers to
// (vmw:ExtraConfig nvram = "ovf:/file/ID", as ESXi writes it): the new VM's
// nvram key names "<name>.nvram" and the result lists the file to upload,
// device "/<name>/nvram", created on the datastore (a PUT).
func (d *detour) CreateImportSpec(ctx *simulator.Context, req *types.CreateImportSpec) soap.HasFault {
	m, ok := ctx.Map.Get(req.This).(*simulator.OvfManager)
	if !ok {
		return &methods.CreateImportSpecBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	var res soap.HasFault
	ctx.WithLock(m, func() { res = m.CreateImportSpec(ctx, req) })
	body, ok := res.(*methods.CreateImportSpecBody)
	if !ok || body.Res == nil {
		return res
	}
	spec, ok := body.Res.Returnval.ImportSpec.(*types.VirtualMachineImportSpec)
	env, err := ovf.Unmarshal(strings.NewReader(req.OvfDescriptor))
	if !ok || err != nil || env.VirtualSystem == nil || len(env.VirtualSystem.VirtualHardware) == 0 {
		return res
	}
	hw := env.VirtualSystem.VirtualHardware[0]
	applyHardwareConfig(&spec.ConfigSpec, hw)
	if file, ok := nvramReference(env, hw); ok {
		name := ""
		if p, ok := req.Cisp.(*types.OvfCreateImportSpecParams); ok {
			name = p.EntityName
		}
		if name == "" {
			name = spec.ConfigSpec.Name
		}
		spec.ConfigSpec.ExtraConfig = append(spec.ConfigSpec.ExtraConfig, &types.OptionValue{Key: nvramKey, Value: name + ".nvram"})
		body.Res.Returnval.FileItem = append(body.Res.Returnval.FileItem, types.OvfFileItem{
			DeviceId: "/" + name + "/nvram", Path: file.Href, Size: int64(file.Size), Create: true,
		})
	}
	return res
}

// nvramReference finds the file an OVF's nvram entry refers to.
func nvramReference(env *ovf.Envelope, hw ovf.VirtualHardwareSection) (ovf.File, bool) {
	for _, c := range hw.ExtraConfig {
		id, ok := strings.CutPrefix(c.Value, "ovf:/file/")
		if c.Key != nvramKey || !ok {
			continue
		}
		for _, f := range env.References {
			if f.ID == id {
				return f, true
			}
		}
	}
	return ovf.File{}, false
}

func applyHardwareConfig(cs *types.VirtualMachineConfigSpec, hw ovf.VirtualHardwareSection) {
	for _, c := range hw.Config {
		switch c.Key {
		case "firmware":
			cs.Firmware = c.Value
		case "cpuHotAddEnabled":
			cs.CpuHotAddEnabled = types.NewBool(c.Value == "true")
		case "memoryHotAddEnabled":
			cs.MemoryHotAddEnabled = types.NewBool(c.Value == "true")
		}
	}
	for _, c := range hw.ExtraConfig {
		if c.Key == nvramKey && strings.HasPrefix(c.Value, "ovf:/") {
			continue // a file of the package: see CreateImportSpec
		}
		cs.ExtraConfig = append(cs.ExtraConfig, &types.OptionValue{Key: c.Key, Value: c.Value})
	}
	for _, item := range hw.Item {
		if item.ResourceType != nil && *item.ResourceType == 3 && item.CoresPerSocket != nil {
			cs.NumCoresPerSocket = types.NewInt32(item.CoresPerSocket.Value)
		}
	}
}
