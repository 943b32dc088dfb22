package sshhost

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost/vmx"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// DefaultHardwareVersion is written when the new VM's hardware version is
// not given: vmx-17, which every ESXi 7.0 and 8.0 host runs.
const DefaultHardwareVersion = "17"

// controllerDevs maps a controller kind to its .vmx device prefix and
// virtualDev value ("" when the prefix says it all).
var controllerDevs = map[string]struct{ prefix, dev string }{
	"pvscsi":       {"scsi", "pvscsi"},
	"lsilogic":     {"scsi", "lsilogic"},
	"lsilogic-sas": {"scsi", "lsisas1068"},
	"buslogic":     {"scsi", "buslogic"},
	"nvme":         {"nvme", ""},
	"sata":         {"sata", ""},
	"ide":          {"ide", ""},
}

// nicDevs maps a network adapter kind to its .vmx virtualDev.
var nicDevs = map[string]string{"vmxnet3": "vmxnet3", "e1000e": "e1000e", "e1000": "e1000", "pcnet32": "vlance"}

// VMX renders the .vmx file of a new VM the way ESXi writes one for a VM
// made in the host client: its name, guest, firmware, CPU and memory,
// storage controllers, the disks (by file name, relative to the VM's
// folder), the NVRAM file copied from the template (nvram = "web01.nvram"),
// network adapters with MAC addresses the host generates, and the advanced
// settings (guestinfo keys among them), sorted by key. Devices
// the NewVM does not list (CD-ROM, floppy, USB) are absent; a floppy
// drive, which a .vmx gets unless told otherwise, is turned off.
func VMX(v *vm.NewVM) ([]byte, error) {
	f, err := vmxFile(v)
	if err != nil {
		return nil, err
	}
	return f.Bytes()
}

func vmxFile(v *vm.NewVM) (*vmx.File, error) {
	if v.Name == "" || v.CPU <= 0 || v.MemoryMB <= 0 {
		return nil, fmt.Errorf("%w: a VM needs a name, CPUs and memory", vm.ErrInvalidSpec)
	}
	f := &vmx.File{}
	hw := strings.TrimPrefix(v.Version, "vmx-")
	if hw == "" {
		hw = DefaultHardwareVersion
	}
	if _, err := strconv.Atoi(hw); err != nil {
		return nil, fmt.Errorf("%w: hardware version %q", vm.ErrInvalidSpec, v.Version)
	}
	for _, e := range []vmx.Entry{
		{Key: ".encoding", Value: "UTF-8"}, {Key: "config.version", Value: "8"}, {Key: "virtualHW.version", Value: hw},
		{Key: "displayName", Value: v.Name}, {Key: "guestOS", Value: vmx.GuestOS(v.GuestID)},
	} {
		f.Set(e.Key, e.Value)
	}
	if v.Firmware != "" {
		f.Set("firmware", v.Firmware)
	}
	if v.NVRAM != "" {
		if strings.ContainsAny(v.NVRAM, "/\"") || !strings.HasSuffix(v.NVRAM, ".nvram") {
			return nil, fmt.Errorf("%w: NVRAM file %q is not a .nvram file name in the VM's folder", vm.ErrInvalidSpec, v.NVRAM)
		}
		f.Set("nvram", v.NVRAM) // the NVRAM file copied into the VM's folder
	}
	setBool(f, "uefi.secureBoot.enabled", v.SecureBoot)
	f.Set("numvcpus", strconv.Itoa(int(v.CPU)))
	if v.CoresPerSocket > 0 {
		f.Set("cpuid.coresPerSocket", strconv.Itoa(int(v.CoresPerSocket)))
	}
	f.Set("memSize", strconv.FormatInt(v.MemoryMB, 10))
	setBool(f, "vhv.enable", v.NestedHV)
	setBool(f, "vcpu.hotadd", v.CPUHotAdd)
	setBool(f, "mem.hotadd", v.MemoryHotAdd)
	pciBridges(f)
	f.Set("floppy0.present", "FALSE")
	f.Set("uuid.action", "create")
	if err := storage(f, v); err != nil {
		return nil, err
	}
	if err := network(f, v); err != nil {
		return nil, err
	}
	return f, extraConfig(f, v.ExtraConfig)
}

func setBool(f *vmx.File, key string, on bool) {
	if on {
		f.Set(key, "TRUE")
	}
}

// pciBridges adds the PCI and PCIe bridges every VM ESXi creates has; the
// paravirtual devices (pvscsi, vmxnet3, nvme) sit behind them.
func pciBridges(f *vmx.File) {
	f.Set("pciBridge0.present", "TRUE")
	for _, n := range []string{"4", "5", "6", "7"} {
		f.Set("pciBridge"+n+".present", "TRUE")
		f.Set("pciBridge"+n+".virtualDev", "pcieRootPort")
		f.Set("pciBridge"+n+".functions", "8")
	}
}

// storage adds the controllers and the disks attached to them.
func storage(f *vmx.File, v *vm.NewVM) error {
	names := make([]string, len(v.Controllers))
	seen := map[string]bool{}
	for i, c := range v.Controllers {
		d, ok := controllerDevs[c.Kind]
		if !ok {
			return fmt.Errorf("%w: storage controller %q", vm.ErrUnsupportedHardware, c.Kind)
		}
		if c.Bus < 0 || c.Bus > 3 || (c.Kind == "ide" && c.Bus > 1) {
			return fmt.Errorf("%w: %s controller on bus %d", vm.ErrUnsupportedHardware, c.Kind, c.Bus)
		}
		names[i] = d.prefix + strconv.Itoa(int(c.Bus))
		if seen[names[i]] {
			return fmt.Errorf("%w: two controllers are %s", vm.ErrInvalidSpec, names[i])
		}
		seen[names[i]] = true
		if c.Kind != "ide" {
			f.Set(names[i]+".present", "TRUE")
		}
		if d.dev != "" {
			f.Set(names[i]+".virtualDev", d.dev)
		}
	}
	for _, d := range v.Disks {
		if d.Controller < 0 || d.Controller >= len(names) {
			return fmt.Errorf("%w: disk %s names controller %d of %d", vm.ErrInvalidSpec, d.Path, d.Controller, len(names))
		}
		file, err := diskFile(v.Path, d.Path)
		if err != nil {
			return err
		}
		dev := fmt.Sprintf("%s:%d", names[d.Controller], d.Unit)
		if _, dup := f.Get(dev + ".present"); dup || d.Unit < 0 {
			return fmt.Errorf("%w: disk %s on %s", vm.ErrInvalidSpec, d.Path, dev)
		}
		f.Set(dev+".present", "TRUE")
		if strings.HasPrefix(dev, "scsi") {
			f.Set(dev+".deviceType", "scsi-hardDisk")
		}
		f.Set(dev+".fileName", file)
		if d.Mode != "" && d.Mode != "persistent" {
			f.Set(dev+".mode", strings.ReplaceAll(d.Mode, "_", "-"))
		}
	}
	return nil
}

// diskFile names a disk as the .vmx at vmxPath refers to it: by file name
// when it lies in the VM's folder, else by its full shell path.
func diskFile(vmxPath, disk string) (string, error) {
	vp, err := ssh.ParseDatastorePath(vmxPath)
	if err != nil {
		return "", fmt.Errorf("%w: .vmx path %q: %w", vm.ErrInvalidSpec, vmxPath, err)
	}
	dp, err := ssh.ParseDatastorePath(disk)
	if err != nil || !strings.HasSuffix(dp.Path, ".vmdk") {
		return "", fmt.Errorf("%w: disk path %q", vm.ErrInvalidSpec, disk)
	}
	if dp.Datastore == vp.Datastore && path.Dir(dp.Path) == path.Dir(vp.Path) {
		return path.Base(dp.Path), nil
	}
	return dp.Shell(), nil
}

// network adds the adapters, each with a MAC address the host generates.
func network(f *vmx.File, v *vm.NewVM) error {
	for i, n := range v.NICs {
		dev, ok := nicDevs[n.Kind]
		if !ok {
			return fmt.Errorf("%w: network adapter %q", vm.ErrUnsupportedHardware, n.Kind)
		}
		if n.Network == "" {
			return fmt.Errorf("%w: network adapter %d has no port group", vm.ErrInvalidSpec, i+1)
		}
		e := "ethernet" + strconv.Itoa(i)
		f.Set(e+".present", "TRUE")
		f.Set(e+".virtualDev", dev)
		f.Set(e+".networkName", n.Network)
		f.Set(e+".addressType", "generated")
	}
	return nil
}

// extraConfig adds the advanced settings sorted by key. A key the
// hardware already sets is refused rather than silently overridden.
func extraConfig(f *vmx.File, m map[string]string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := vmx.CheckKey(k); err != nil {
			return fmt.Errorf("%w: %w", vm.ErrInvalidSpec, err)
		}
		if _, dup := f.Get(k); dup {
			return fmt.Errorf("%w: advanced setting %q would override the VM's hardware", vm.ErrInvalidSpec, k)
		}
		f.Set(k, m[k])
	}
	return nil
}
