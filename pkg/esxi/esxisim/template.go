package esxisim

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

// vmShape is the hardware of a VM the simulator creates itself.
type vmShape struct {
	name      string
	guestID   string
	firmware  string
	cpus      int32
	memoryMB  int64
	diskBytes int64
	extra     []types.BaseOptionValue
}

// hardwareVersion is the virtual hardware of ESXi 8.0 U2.
const hardwareVersion = "vmx-21"

// vmNetwork is the port group of a fresh ESXi install.
const vmNetwork = "VM Network"

// configSpec builds the CreateVM spec of shape on the simulator's datastore:
// a pvscsi controller, one thin disk and a vmxnet3 NIC on "VM Network".
func (s *Simulator) configSpec(sh vmShape) (types.VirtualMachineConfigSpec, error) {
	ds := findDatastore(s.internalContext(context.Background()), s.opts.Datastore)
	if ds == nil {
		return types.VirtualMachineConfigSpec{}, fmt.Errorf("%w: datastore %s missing", ErrInternal, s.opts.Datastore)
	}
	dir := fmt.Sprintf("[%s] %s", s.opts.Datastore, sh.name)
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return types.VirtualMachineConfigSpec{}, fmt.Errorf("pvscsi controller: %w", err)
	}
	devices = append(devices, scsi)
	disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Self, path.Join(dir, sh.name+".vmdk"))
	disk.CapacityInBytes = sh.diskBytes
	disk.CapacityInKB = sh.diskBytes / 1024
	if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
		b.ThinProvisioned = types.NewBool(true)
	}
	devices = append(devices, disk)
	netRef := types.ManagedObjectReference{Type: "Network", Value: "HaNetwork-" + vmNetwork}
	nic, err := devices.CreateEthernetCard("vmxnet3", &types.VirtualEthernetCardNetworkBackingInfo{
		VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: vmNetwork},
		Network:                        &netRef,
	})
	if err != nil {
		return types.VirtualMachineConfigSpec{}, fmt.Errorf("vmxnet3 card: %w", err)
	}
	devices = append(devices, nic)
	changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return types.VirtualMachineConfigSpec{}, fmt.Errorf("device spec: %w", err)
	}
	for _, c := range changes {
		if _, ok := c.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk); ok {
			c.GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
		}
	}
	return types.VirtualMachineConfigSpec{
		Name:              sh.name,
		GuestId:           sh.guestID,
		Firmware:          sh.firmware,
		NumCPUs:           sh.cpus,
		NumCoresPerSocket: types.NewInt32(sh.cpus),
		MemoryMB:          sh.memoryMB,
		Version:           hardwareVersion,
		Files:             &types.VirtualMachineFileInfo{VmPathName: dir},
		DeviceChange:      changes,
		ExtraConfig:       sh.extra,
	}, nil
}

// createVM creates a VM with the in-process client and returns it.
func (s *Simulator) createVM(ctx context.Context, spec types.VirtualMachineConfigSpec) (*object.VirtualMachine, error) {
	folder := object.NewFolder(s.vim, esx.Datacenter.VmFolder)
	pool := object.NewResourcePool(s.vim, esx.ResourcePool.Self)
	host := object.NewHostSystem(s.vim, esx.HostSystem.Self)
	task, err := folder.CreateVM(ctx, spec, pool, host)
	if err != nil {
		return nil, fmt.Errorf("creating VM %s: %w", spec.Name, err)
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("creating VM %s: %w", spec.Name, err)
	}
	ref, ok := info.Result.(types.ManagedObjectReference)
	if !ok {
		return nil, fmt.Errorf("%w: CreateVM_Task returned %T", ErrInternal, info.Result)
	}
	// the in-process client bypasses the corrections: make the VM as ESXi would
	ictx := s.internalContext(ctx)
	if vm, ok := ictx.Map.Get(ref).(*simulator.VirtualMachine); ok {
		ictx.WithLock(vm, func() { afterCreate(ictx, vm) })
	}
	return object.NewVirtualMachine(s.vim, ref), nil
}

// flatFile is the local path of a VM's first disk as configSpec names it.
func (s *Simulator) flatFile(vmName string) string {
	return path.Join(s.dsDir, vmName, vmName+"-flat.vmdk")
}

// seedTemplate creates the golden template: powered off (a standalone ESXi
// has no templates), EFI, 2 vCPU, 2 GiB, pvscsi, one thin disk holding
// DiskContent(TemplateName, size), vmxnet3 on "VM Network".
func (s *Simulator) seedTemplate(ctx context.Context) error {
	spec, err := s.configSpec(vmShape{
		name:      TemplateName,
		guestID:   string(types.VirtualMachineGuestOsIdentifierUbuntu64Guest),
		firmware:  string(types.GuestOsDescriptorFirmwareTypeEfi),
		cpus:      2,
		memoryMB:  2048,
		diskBytes: s.opts.TemplateDiskSize,
		extra: []types.BaseOptionValue{
			&types.OptionValue{Key: "guestinfo.ceso.golden", Value: "true"},
		},
	})
	if err != nil {
		return err
	}
	if _, err := s.createVM(ctx, spec); err != nil {
		return err
	}
	// the template was powered on once (to install it): it has its NVRAM
	nvram := filepath.Join(s.dsDir, TemplateName, TemplateName+".nvram")
	if err := os.WriteFile(nvram, NVRAMContent(TemplateName, spec.Firmware), 0o600); err != nil {
		return fmt.Errorf("writing the template's NVRAM: %w", err)
	}
	f, err := os.OpenFile(s.flatFile(TemplateName), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("opening template disk: %w", err)
	}
	if _, err := io.Copy(f, DiskContent(TemplateName, s.opts.TemplateDiskSize)); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing template disk: %w", err)
	}
	return f.Close()
}

// waitTask starts a task and waits for its end.
func waitTask(ctx context.Context, start func(context.Context) (*object.Task, error)) error {
	task, err := start(ctx)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}
