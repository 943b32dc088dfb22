package esxisim

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// NVRAM. ESXi keeps a VM's firmware variables (EFI boot entries, Secure
// Boot keys; the BIOS settings of a BIOS VM) in "<vm>.nvram" beside the
// .vmx, named by the .vmx key nvram, which config.extraConfig shows. The
// file appears at the VM's first power-on; CreateVM_Task and
// RegisterVM_Task write none (vcsim writes an empty one at once, which the
// simulator removes).
const (
	// NVRAMSizeEFI is the size of an EFI VM's NVRAM file (270840 bytes in
	// an ESXi export of an EFI VM; govmomi's OVF test fixtures).
	NVRAMSizeEFI = 270840
	// NVRAMSizeBIOS is the size of a BIOS VM's NVRAM file (8684 bytes in a
	// vCenter export of a BIOS VM; the same fixtures).
	NVRAMSizeBIOS = 8684
	nvramKey      = "nvram"
)

// NVRAMContent returns the deterministic NVRAM file the simulator writes
// for a VM labelled label (its name when it first powered on) with that
// firmware ("efi" or "bios"): a text header naming both, then
// pseudo-random bytes, NVRAMSizeEFI or NVRAMSizeBIOS long. Tests compare a
// copy, a backup or a restore with it byte for byte.
func NVRAMContent(label, firmware string) []byte {
	size := NVRAMSizeBIOS
	if firmware == string(types.GuestOsDescriptorFirmwareTypeEfi) {
		size = NVRAMSizeEFI
	}
	b := make([]byte, size)
	head := fmt.Appendf(nil, "CESO ESXISIM NVRAM v1\nfirmware: %s\nlabel: %s\n\x00", firmware, label)
	seed := sha256.Sum256(fmt.Appendf(nil, "nvram/%s/%s", firmware, label))
	_, _ = rand.NewChaCha8(seed).Read(b)
	copy(b, head)
	return b
}

// extraValue returns an extraConfig value.
func extraValue(extra []types.BaseOptionValue, key string) (string, bool) {
	for _, o := range extra {
		if ov := o.GetOptionValue(); ov.Key == key {
			v, ok := ov.Value.(string)
			return v, ok
		}
	}
	return "", false
}

// nvramFile returns the datastore path of a VM's NVRAM file: the nvram
// key's file in the VM's folder (or a datastore path it names), else
// "<name>.nvram" there. Call with the VM locked.
func nvramFile(vm *mo.VirtualMachine) string {
	name := vm.Name + ".nvram"
	if v, ok := extraValue(vm.Config.ExtraConfig, nvramKey); ok && v != "" {
		name = v
	}
	if strings.HasPrefix(name, "[") {
		return name
	}
	var dp object.DatastorePath
	dp.FromString(vm.Config.Files.VmPathName)
	dp.Path = path.Join(path.Dir(dp.Path), name)
	return dp.String()
}

// afterCreate makes a new VM look as ESXi leaves it: the nvram key set in
// its configuration, and no NVRAM file unless one was there already (an
// empty one is vcsim's). Call with the VM locked.
func afterCreate(ctx *simulator.Context, vm *simulator.VirtualMachine) {
	if _, ok := extraValue(vm.Config.ExtraConfig, nvramKey); !ok {
		extra := append(append([]types.BaseOptionValue(nil), vm.Config.ExtraConfig...),
			&types.OptionValue{Key: nvramKey, Value: vm.Name + ".nvram"})
		ctx.Update(vm, []types.PropertyChange{{Name: "config.extraConfig", Val: extra}})
	}
	if local, ok := localPath(ctx, nvramFile(&vm.VirtualMachine)); ok {
		if st, err := os.Stat(local); err == nil && st.Size() == 0 {
			_ = os.Remove(local)
		}
	}
	if local, ok := localPath(ctx, path.Join(vmDir(&vm.VirtualMachine), vm.Name+".nvram")); ok {
		if st, err := os.Stat(local); err == nil && st.Size() == 0 {
			_ = os.Remove(local)
		}
	}
}

// ensureNVRAM writes a VM's NVRAM file if it has none, as ESXi does at
// power-on. Call with the VM locked.
func ensureNVRAM(ctx *simulator.Context, vm *mo.VirtualMachine) error {
	local, ok := localPath(ctx, nvramFile(vm))
	if !ok {
		return nil
	}
	if _, err := os.Stat(local); !errors.Is(err, os.ErrNotExist) {
		return err
	}
	firmware := vm.Config.Firmware
	if firmware == "" {
		firmware = string(types.GuestOsDescriptorFirmwareTypeBios)
	}
	return os.WriteFile(local, NVRAMContent(vm.Name, firmware), 0o600)
}
