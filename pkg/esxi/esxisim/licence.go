package esxisim

import (
	"context"
	"sort"

	"github.com/vmware/govmomi/vim25/types"
)

// writeMethods are refused with RestrictedVersion on the free licence.
var writeMethods = setOf(
	// VM inventory and configuration
	"CreateVM_Task", "RegisterVM_Task", "UnregisterVM", "Destroy_Task", "Rename_Task",
	"ReconfigVM_Task", "UpgradeVM_Task", "MarkAsTemplate", "MarkAsVirtualMachine",
	"CustomizeVM_Task", "SetCustomValue", "ImportVApp", "MoveIntoFolder_Task",
	// power and guest
	"PowerOnVM_Task", "PowerOffVM_Task", "ResetVM_Task", "SuspendVM_Task",
	"ShutdownGuest", "RebootGuest", "StandbyGuest",
	// snapshots
	"CreateSnapshot_Task", "CreateSnapshotEx_Task", "RemoveSnapshot_Task", "RevertToSnapshot_Task",
	"RevertToCurrentSnapshot_Task", "RemoveAllSnapshots_Task", "RenameSnapshot", "ConsolidateVMDisks_Task",
	// disks and files
	"CopyVirtualDisk_Task", "CreateVirtualDisk_Task", "DeleteVirtualDisk_Task", "MoveVirtualDisk_Task",
	"ExtendVirtualDisk_Task", "InflateVirtualDisk_Task", "ShrinkVirtualDisk_Task",
	"EagerZeroVirtualDisk_Task", "ZeroFillVirtualDisk_Task", "SetVirtualDiskUuid",
	"MakeDirectory", "DeleteDatastoreFile_Task", "MoveDatastoreFile_Task", "CopyDatastoreFile_Task",
	// host configuration
	"CreateFolder", "CreateLocalDatastore", "CreateNasDatastore", "RemoveDatastore",
	"UpdateOptions", "AddPortGroup", "RemovePortGroup", "UpdatePortGroup",
	"AddVirtualSwitch", "RemoveVirtualSwitch",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// WriteMethods lists, sorted, the SOAP methods the free licence refuses.
func WriteMethods() []string {
	out := make([]string, 0, len(writeMethods))
	for m := range writeMethods {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// freeLicence is how a free vSphere Hypervisor licence shows in
// LicenseManager.licenses (ESXi 7.0.3 sample, adapted to 8.0).
var freeLicence = types.LicenseManagerLicenseInfo{
	LicenseKey: "00000-00000-00000-00000-00000",
	EditionKey: "esx.hypervisor.cpuPackageCoreLimited",
	Name:       "vSphere 8 Hypervisor",
	Total:      0,
	Used:       1,
	CostUnit:   "cpuPackage:32core",
	Properties: []types.KeyAnyValue{
		{Key: "ProductName", Value: "VMware ESX Server"},
		{Key: "ProductVersion", Value: "8.0"},
		{Key: "count_disabled", Value: "This license is unlimited"},
		{Key: "feature", Value: types.KeyValue{Key: "vsmp:8", Value: "Up to 8-way virtual SMP"}},
	},
}

// evalLicence is how an evaluation licence shows (ESXi 9.0 sample).
var evalLicence = types.LicenseManagerLicenseInfo{
	LicenseKey: "00000-00000-00000-00000-00000",
	EditionKey: "esx.eval.entitlement.cpuCoreMin",
	Name:       "VMware ESX Server",
	Total:      1,
	Used:       1,
	CostUnit:   "host",
	Properties: []types.KeyAnyValue{
		{Key: "ProductName", Value: "VMware ESX Server"},
		{Key: "ProductVersion", Value: "8.0"},
	},
}

// SetFreeLicence switches the free licence on or off. When on, every SOAP
// method in WriteMethods fails with RestrictedVersion and ESXi's faultstring;
// reads, sessions, property collection, NFC leases and ExportVm still work.
// LicenseManager.licenses shows the matching licence.
func (s *Simulator) SetFreeLicence(on bool) {
	s.free.Store(on)
	lic := evalLicence
	if on {
		lic = freeLicence
	}
	lm := s.reg.Get(*s.model.ServiceContent.LicenseManager)
	ctx := s.internalContext(context.Background())
	ctx.WithLock(lm, func() {
		ctx.Update(lm, []types.PropertyChange{{Name: "licenses", Val: []types.LicenseManagerLicenseInfo{lic}}})
	})
}

// FreeLicence reports whether the free-licence switch is on.
func (s *Simulator) FreeLicence() bool { return s.free.Load() }
