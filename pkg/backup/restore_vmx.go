package backup

import (
	"crypto/rand"
	"fmt"
	"path"
	"strings"

	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/sshhost/vmx"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// PlannedInstanceID stands, in the plan of a restore over SSH (whose plan
// holds the .vmx), for the new instance-id the run makes, so that the plan
// of one command is the same each time.
const PlannedInstanceID = "ceso-new-instance-id"

// controllerKinds maps the start of a controller's device name in the
// configuration record ("pvscsi-1000") to vm.Controller.Kind.
var controllerKinds = []string{"lsilogic-sas", "pvscsi", "lsilogic", "buslogic", "nvme", "sata", "ide"}

// controllerKind is the kind of controller named label, "pvscsi" when the
// record does not say.
func controllerKind(label string) string {
	for _, k := range controllerKinds {
		if strings.HasPrefix(label, k) {
			return k
		}
	}
	return "pvscsi"
}

// newVM describes the restored VM for its .vmx: the backup's hardware, the
// placed disks on their controllers (buses and units in the record's order:
// the record keeps neither), its adapters on the mapped port groups, and
// extra (guestinfo, nvram).
func (r *restoreRun) newVM(folder string, disks []string, extra map[string]string) *vm.NewVM {
	c := r.l.config
	nv := &vm.NewVM{
		Name: r.name, Path: folder + "/" + r.name + ".vmx", Datastore: r.datastore, ExtraConfig: extra,
		Hardware: vm.Hardware{GuestID: c.GuestID, Firmware: c.Firmware, Version: c.HardwareVersion, CPU: c.CPUs, MemoryMB: int64(c.MemoryMB)},
	}
	ctrl := map[string]int{} // controller label → index
	units := map[int]int32{}
	buses := map[string]int32{} // kind → next bus
	for i, d := range c.Disks {
		if i >= len(disks) {
			break
		}
		idx, ok := ctrl[d.Controller]
		if !ok {
			kind := controllerKind(d.Controller)
			prefix := kind
			if kind != "ide" && kind != "sata" && kind != "nvme" {
				prefix = "scsi"
			}
			idx = len(nv.Controllers)
			nv.Controllers = append(nv.Controllers, vm.Controller{Kind: kind, Bus: buses[prefix]})
			buses[prefix]++
			ctrl[d.Controller] = idx
		}
		unit := units[idx]
		if unit == 7 && nv.Controllers[idx].Kind != "ide" && nv.Controllers[idx].Kind != "sata" && nv.Controllers[idx].Kind != "nvme" {
			unit++ // SCSI unit 7 is the controller's own
		}
		units[idx] = unit + 1
		nv.Disks = append(nv.Disks, vm.DiskAttachment{Path: disks[i], Controller: idx, Unit: unit, CapacityBytes: d.CapacityBytes})
	}
	for _, n := range c.NICs {
		network := n.Network
		if to, ok := r.networks[n.Network]; ok {
			network = to
		}
		nv.NICs = append(nv.NICs, vm.NetworkAdapter{Kind: n.Type, Network: network})
	}
	return nv
}

// vmxText renders the .vmx of nv with the adapters' MAC addresses set
// (static, so that the guestinfo written before the host registers the VM
// can name them).
func vmxText(nv *vm.NewVM, macs []string) ([]byte, error) {
	text, err := sshhost.VMX(nv)
	if err != nil {
		return nil, err
	}
	f, err := vmx.Parse(text)
	if err != nil {
		return nil, err
	}
	for i, mac := range macs {
		e := fmt.Sprintf("ethernet%d", i)
		f.Set(e+".addressType", "static")
		f.Set(e+".address", mac)
	}
	return f.Bytes()
}

// staticMACs draws n MAC addresses from VMware's range for addresses set
// by hand, 00:50:56:00:00:00 to 00:50:56:3f:ff:ff. A dry run shows fixed
// stand-ins, so that its plan is the same each time.
func staticMACs(n int, dry bool) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		b := [3]byte{0, 0, byte(i)}
		if !dry {
			if _, err := rand.Read(b[:]); err != nil {
				return nil, fmt.Errorf("drawing a MAC address: %w", err)
			}
		}
		out[i] = fmt.Sprintf("00:50:56:%02x:%02x:%02x", b[0]&0x3f, b[1], b[2])
	}
	return out, nil
}

// diskPaths are the datastore paths of the restored disks in folder:
// <name>.vmdk, <name>_1.vmdk, … as ESXi names a VM's disks.
func diskPaths(folder, name string, n int) []string {
	out := make([]string, n)
	for i := range out {
		if i == 0 {
			out[i] = folder + "/" + name + ".vmdk"
		} else {
			out[i] = fmt.Sprintf("%s/%s_%d.vmdk", folder, name, i)
		}
	}
	return out
}

// stagingPath is where disk i is uploaded before vmkfstools imports it.
func stagingPath(folder, name string, i int) string {
	return fmt.Sprintf("%s/%s-ceso-upload-%d.vmdk", folder, name, i)
}

// flatOf is the data file beside a descriptor: "x.vmdk" → "x-flat.vmdk".
func flatOf(descriptor string) string {
	return strings.TrimSuffix(descriptor, ".vmdk") + "-flat.vmdk"
}

// nvramFile is the restored VM's NVRAM file in folder, "" when the backup
// has none.
func (r *restoreRun) nvramFile(folder string) (string, archive.File, bool) {
	f, ok := r.l.manifest.Find(r.l.config.NVRAM)
	if r.l.config.NVRAM == "" || !ok || f.Kind != archive.KindNVRAM {
		return "", archive.File{}, false
	}
	return folder + "/" + r.name + ".nvram", f, true
}

// base is the file name of a datastore path.
func base(p string) string { return path.Base(p) }
