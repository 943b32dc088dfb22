package esxishell

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/sshhost/vmx"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

// registerVM runs vim-cmd solo/registervm VMX: it reads the .vmx from the
// datastore, makes the VM it describes (CreateVM_Task with its hardware,
// its existing disks, its network adapters and its other settings as
// extraConfig), puts the .vmx back as it was, and prints the new vmid.
func (s *Shell) registerVM(ctx context.Context, args []string) result {
	if len(args) < 1 {
		return failed("Insufficient arguments.\n", 1)
	}
	f, err := s.resolve(args[0])
	if err != nil || !strings.HasSuffix(f.ds, ".vmx") {
		return faultResult("", &types.NotFound{}, "")
	}
	s.register.Lock()
	defer s.register.Unlock()
	data, err := os.ReadFile(f.local)
	if err != nil {
		return faultResult("", &types.NotFound{}, "")
	}
	if r := s.checkNotRegistered(ctx, f.ds); r != nil {
		return *r
	}
	file, err := vmx.Parse(data)
	if err != nil {
		return faultResult("", &types.InvalidArgument{}, "A specified parameter was not correct: "+err.Error())
	}
	spec, err := s.specFromVMX(ctx, file, f.ds)
	if err != nil {
		return faultResult("", &types.InvalidArgument{}, "A specified parameter was not correct: "+err.Error())
	}
	ref, err := s.createWithVMX(ctx, spec, f.local, data)
	if err != nil {
		return callResult("", err)
	}
	return ok(vmidOf(ref) + "\n")
}

// checkNotRegistered answers AlreadyExists, naming the vmid, when a VM is
// registered from that .vmx already.
func (s *Shell) checkNotRegistered(ctx context.Context, dsPath string) *result {
	vms, err := s.vms(ctx, "config.files.vmPathName")
	if err != nil {
		r := failed(err.Error()+"\n", 1)
		return &r
	}
	for _, v := range vms {
		if v.Config != nil && v.Config.Files.VmPathName == dsPath {
			r := faultResult("", &types.AlreadyExists{Name: vmidOf(v.Self)}, "")
			return &r
		}
	}
	return nil
}

// createWithVMX makes the VM. The simulator writes a .vmx of its own and
// refuses to overwrite one, so the real file is moved aside while the VM
// is made and then put back.
func (s *Shell) createWithVMX(ctx context.Context, spec types.VirtualMachineConfigSpec, local string, data []byte) (types.ManagedObjectReference, error) {
	aside := local + ".registering"
	if err := os.Rename(local, aside); err != nil {
		return types.ManagedObjectReference{}, err
	}
	folder := object.NewFolder(s.vim(), esx.Datacenter.VmFolder)
	pool := object.NewResourcePool(s.vim(), esx.ResourcePool.Self)
	host := object.NewHostSystem(s.vim(), esx.HostSystem.Self)
	var ref types.ManagedObjectReference
	task, err := folder.CreateVM(ctx, spec, pool, host)
	if err == nil {
		var info *types.TaskInfo
		if info, err = task.WaitForResult(ctx, nil); err == nil {
			ref, _ = info.Result.(types.ManagedObjectReference)
		}
	}
	if rerr := os.Rename(aside, local); rerr != nil && err == nil {
		err = rerr
	}
	if err == nil && ref.Value == "" {
		err = fmt.Errorf("CreateVM_Task returned no VM")
	}
	return ref, err
}

// specFromVMX turns a .vmx into the CreateVM spec of the VM it describes.
func (s *Shell) specFromVMX(ctx context.Context, f *vmx.File, vmxPath string) (types.VirtualMachineConfigSpec, error) {
	get := func(k string) string { v, _ := f.Get(k); return v }
	name := get("displayName")
	if name == "" {
		name = strings.TrimSuffix(path.Base(vmxPath), ".vmx")
	}
	guest, known := vmx.GuestID(get("guestOS"))
	if !known {
		guest = string(types.VirtualMachineGuestOsIdentifierOtherGuest)
	}
	spec := types.VirtualMachineConfigSpec{
		Name:     name,
		GuestId:  guest,
		Firmware: get("firmware"),
		Files:    &types.VirtualMachineFileInfo{VmPathName: vmxPath},
	}
	if v := get("virtualHW.version"); v != "" {
		spec.Version = "vmx-" + v
	}
	var err error
	if spec.NumCPUs, err = number(get("numvcpus"), 1); err != nil {
		return spec, err
	}
	if cores, err := number(get("cpuid.coresPerSocket"), 0); err != nil {
		return spec, err
	} else if cores > 0 {
		spec.NumCoresPerSocket = types.NewInt32(cores)
	}
	mem, err := number(get("memSize"), 32)
	if err != nil {
		return spec, err
	}
	spec.MemoryMB = int64(mem)
	spec.NestedHVEnabled = types.NewBool(isTrue(get("vhv.enable")))
	spec.CpuHotAddEnabled = types.NewBool(isTrue(get("vcpu.hotadd")))
	spec.MemoryHotAddEnabled = types.NewBool(isTrue(get("mem.hotadd")))
	if spec.Firmware == string(types.GuestOsDescriptorFirmwareTypeEfi) {
		spec.BootOptions = &types.VirtualMachineBootOptions{EfiSecureBootEnabled: types.NewBool(isTrue(get("uefi.secureBoot.enabled")))}
	}
	devices, err := s.devicesFromVMX(ctx, f, vmxPath)
	if err != nil {
		return spec, err
	}
	spec.DeviceChange = devices
	spec.ExtraConfig = extraFromVMX(f)
	return spec, nil
}

func number(s string, def int32) (int32, error) {
	if s == "" {
		return def, nil
	}
	var n int32
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return n, nil
}

func isTrue(s string) bool { return strings.EqualFold(s, "TRUE") }

// hardwareKeys are the .vmx settings the spec's fields and devices carry;
// the others become extraConfig.
var hardwareKeys = []string{".encoding", "config.version", "virtualHW.version", "displayName", "guestOS", "firmware",
	"uefi.secureBoot.enabled", "numvcpus", "cpuid.coresPerSocket", "memSize", "vhv.enable", "vcpu.hotadd", "mem.hotadd",
	"uuid.action", "pciBridge", "floppy", "scsi", "nvme", "sata", "ide", "ethernet"}

func extraFromVMX(f *vmx.File) []types.BaseOptionValue {
	var out []types.BaseOptionValue
	for _, e := range f.Entries() {
		hw := false
		for _, k := range hardwareKeys {
			low, key := strings.ToLower(e.Key), strings.ToLower(k)
			if low == key || strings.HasPrefix(low, key) && len(low) > len(key) && (low[len(key)] >= '0' && low[len(key)] <= '9') {
				hw = true
				break
			}
		}
		if !hw {
			out = append(out, &types.OptionValue{Key: e.Key, Value: e.Value})
		}
	}
	return out
}
