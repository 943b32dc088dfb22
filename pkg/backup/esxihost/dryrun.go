package esxihost

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// DryRun returns a Host on the same session that changes nothing: every
// change — power, rename, destroy, reconfigure, the export and import
// leases and their transfers — is reported to record as the call it would
// make and answered as if it had succeeded; reads are made for real. The
// backup engine runs its own code on it to make a plan that cannot drift
// from the run. A VM an import would create exists only in the plan: reads
// of it answer as for a new, powered-off VM.
func (h *Host) DryRun(record func(ops.Step)) *Host {
	return &Host{c: h.c, record: record}
}

// dry reports whether h only records.
func (h *Host) dry() bool { return h.record != nil }

// step records one change on v.
func (h *Host) step(action string, v VM, detail string, a ...any) {
	h.record(ops.Step{Via: "api", Action: action + " " + h.nameOf(v), Detail: fmt.Sprintf(detail, a...)})
}

// nameOf is the name a VM was found or imported by, for plans.
func (h *Host) nameOf(v VM) string {
	if v == nil {
		return ""
	}
	if n, ok := h.names.Load(v.Reference().Value); ok {
		return n.(string)
	}
	return v.Reference().Value
}

// remember notes v's name for plans.
func (h *Host) remember(v VM, name string) { h.names.Store(v.Reference().Value, name) }

// planned reports whether v exists only in a dry run's plan.
func planned(v VM) bool { return v != nil && v.Reference().Value == "" }

// PlannedVM is the VM a dry run's registration would create, named name:
// it exists only in the plan (reads of it answer as for a new, powered-off
// VM).
func (h *Host) PlannedVM(name string) VM { return h.plannedVM(name) }

// plannedVM is the VM an import would create, named name.
func (h *Host) plannedVM(name string) VM {
	v := object.NewVirtualMachine(h.c.Vim(), types.ManagedObjectReference{Type: "VirtualMachine"})
	h.remember(v, name)
	return v
}

// describe says what a reconfiguration changes, for plans.
func describe(spec types.VirtualMachineConfigSpec) string {
	var parts []string
	if spec.Uuid != "" {
		parts = append(parts, "new BIOS UUID")
	}
	if n := len(spec.DeviceChange); n > 0 {
		parts = append(parts, fmt.Sprintf("%d adapter(s) get new generated MAC addresses", n))
	}
	if len(spec.ExtraConfig) > 0 {
		var keys []string
		for _, o := range spec.ExtraConfig {
			keys = append(keys, o.GetOptionValue().Key)
		}
		sort.Strings(keys)
		parts = append(parts, "extraConfig "+strings.Join(keys, ", "))
	}
	return strings.Join(parts, "; ")
}

// dryExport is the export lease of a dry run: its items are the VM's disks,
// each served as an empty stream.
func (h *Host) dryExport(ctx context.Context, v VM) (*Export, error) {
	h.step("ExportVm", v, "NFC lease, kept alive by HttpNfcLeaseProgress")
	devices, err := h.Devices(ctx, v)
	if err != nil {
		return nil, err
	}
	e := &Export{h: h}
	for i, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		e.items = append(e.items, Item{
			Key: fmt.Sprintf("/%s/%d", v.Reference().Value, disk.Key), Name: fmt.Sprintf("disk-%d.vmdk", i),
			Size: disk.CapacityInBytes, Disk: true,
		})
		e.Capacity += disk.CapacityInBytes
	}
	return e, nil
}

// emptyBody is what a dry run's download serves.
func emptyBody() io.ReadCloser { return io.NopCloser(strings.NewReader("")) }
