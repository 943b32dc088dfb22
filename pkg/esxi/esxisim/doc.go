// Package esxisim runs an ESXi-faithful simulator: govmomi's in-process
// vcsim in its standalone-host (ESX) model, corrected to behave like a real
// ESXi 8 host wherever ceso depends on it. Tests of every package, `ceso
// simulator` and `ceso demo` use it. It owns nothing else: no commands, no
// ceso logic, and it must never be used to talk to a real host.
//
// # Use
//
//	s, err := esxisim.Start(ctx, esxisim.Options{})
//	defer s.Close()
//	// connect to s.URL() as s.User()/s.Password(), trusting s.Thumbprint()
//	// (soap.Client.SetThumbprint) or s.CAFile() (soap.Client.SetRootCAs)
//
// Start serves HTTPS on 127.0.0.1 (a free port unless Options.Listen says
// otherwise) with a certificate that names 127.0.0.1 and ::1. Only the fixed
// credentials log in (DefaultUser/DefaultPassword unless set); anything else
// is InvalidLogin. ServiceContent.About is ESXi 8.0.2's, ApiType HostAgent.
// Start with the defaults takes about 0.3 s (mostly writing the 64 MiB
// template disk); Close stops the server and removes every file.
//
// # The inventory
//
// A fresh host: datacenter ha-datacenter, host, the "VM Network" port group,
// one datastore named "datastore1" (Options.Datastore) whose files are real
// files under DatastoreDir, and one VM, TemplateName
// ("ubuntu-24.04-template"): ubuntu64Guest, EFI, 2 vCPU, 2048 MiB, vmx-21, a
// pvscsi controller, one thin disk whose -flat.vmdk holds
// DiskContent(TemplateName, Options.TemplateDiskSize), a vmxnet3 NIC on
// "VM Network", and its NVRAM file, NVRAMContent(TemplateName, "efi"), as
// a template that was powered on once to be installed. vcsim's demo VMs are
// not created.
//
// SetVersion plays a host upgrade (ServiceContent.About and the host's
// product); ReadDisk reads a disk's current state through its deltas.
//
// Decision: the template is a normal powered-off VM, not marked as a
// template. A standalone ESXi has no templates (MarkAsTemplate is a vCenter
// feature), so ceso creates VMs from it by copying its disk.
//
// SeedVMs adds VMs named vm-0001... through CreateVM_Task (see its doc).
// On a 2-core test machine it takes 10-20 ms per VM (60+ ms with -race):
// vcsim creates about six files per VM while holding the VM folder lock, so
// creation is serial whatever the worker count (BenchmarkSeedVMs).
//
// # Corrections to vcsim (each covered by a test)
//
//   - CloneVM_Task fails with NotSupported, as ESXi without vCenter does.
//   - VirtualMachine.ExportVm (vcsim lacks it) hands out an HttpNfcLease:
//     one device URL per disk (https://*/nfc/<lease>/disk-N.vmdk, targetId
//     disk-N.vmdk, fileSize unset) serving the disk's current state, through
//     its snapshot deltas, as a streamOptimized VMDK made as it is sent
//     (pkg/vmdk; no Content-Length, Range ignored); and, when the VM has an
//     NVRAM file, one more (disk-N.nvram, key /vm-N/nvram, disk false, no
//     targetId, fileSize set) serving it as it is (Range works).
//     HttpNfcLeaseProgress, Complete, Abort and GetManifest (SHA-1 and size
//     of each file as served in full) work. A VM that is not powered off is
//     refused with InvalidPowerState.
//   - OvfManager.CreateDescriptor (vcsim lacks it) writes an OVF 1.0
//     descriptor like ESXi's: references from cdp.ovfFiles matched by lease
//     device key, disk section, network section, CPU, memory, disk
//     controllers, disks, NICs and the firmware; an NVRAM file listed in
//     cdp.ovfFiles becomes a File after the disks and vmw:ExtraConfig nvram =
//     "ovf:/file/fileN".
//   - OvfManager.CreateImportSpec applies what ESXi honours and vcsim
//     ignores: vmw:Config firmware (and CPU/memory hot-add), vmw:ExtraConfig
//     entries and vmw:CoresPerSocket; an nvram entry naming a file of the
//     package becomes the new VM's nvram key ("<name>.nvram") and a file item
//     /<name>/nvram to upload (create: a PUT). A descriptor from
//     CreateDescriptor imports back to the same hardware and NVRAM.
//   - ResourcePool.ImportVApp keeps the uploaded bytes: each disk upload
//     (disk-N.vmdk) must be a streamOptimized VMDK, decoded into the new VM's
//     -flat.vmdk (holes left sparse; anything else is refused with 400 once
//     the body is read); the NVRAM URL (disk-N.nvram, import key
//     /<name>/nvram) takes the file with PUT only (POST: 405). Abort, or a
//     lease that times out, removes the half-imported VM.
//   - Snapshots: CreateSnapshot_Task and CreateSnapshotEx_Task move every
//     disk (independent ones excepted) onto a new SEsparse delta in the VM's
//     folder ("<disk>-000001.vmdk", data "<disk>-000001-sesparse.vmdk",
//     descriptor createType seSparse with parentFileNameHint); the backing
//     keeps its class (a flat disk's delta is a VirtualDiskFlatVer2BackingInfo
//     with deltaDiskFormat seSparseFormat and the previous backing as parent)
//     while the snapshot keeps the disk state it was taken on.
//     WriteGuestDisk writes as a running guest does, into the newest delta,
//     so the base -flat.vmdk stays as the first snapshot froze it.
//     RemoveSnapshot_Task merges the delta made when that snapshot was taken
//     into the state the snapshot keeps and deletes its files;
//     RemoveAllSnapshots_Task merges every delta into the base disk;
//     RevertToSnapshot_Task and RevertToCurrentSnapshot_Task discard the
//     current delta and put the disks on new ones. vim-cmd vmsvc/snapshot.*
//     in esxishell do the same.
//   - CopyVirtualDisk_Task (and vmkfstools -i) of a snapshot delta copies the
//     chain's current state into one flat disk, as ESXi consolidates.
//   - NVRAM: a VM gets "<name>.nvram" (NVRAMContent) at its first power-on,
//     as ESXi writes it then; CreateVM_Task, RegisterVM_Task and ImportVApp
//     set the nvram key and leave no NVRAM file behind (vcsim writes an
//     empty one). The template has its NVRAM from the start.
//   - NFC leases time out after Options.LeaseTimeout (300 s as on ESXi)
//     without HttpNfcLeaseProgress: the lease goes to the error state with
//     Timedout and its URLs stop working.
//   - DuplicateName for a VM name in use: CreateVM_Task, RegisterVM_Task,
//     Rename_Task and ReconfigVM_Task (new name) end their task in error;
//     ImportVApp answers the fault. The check runs under the VM folder lock,
//     so concurrent creations of one name cannot both succeed.
//   - Datastore paths naming no datastore ("[nope] x", "[] x") in
//     CreateVM_Task, ReconfigVM_Task, RegisterVM_Task and ImportVApp end in
//     InvalidDatastorePath instead of crashing the process; CreateImportSpec
//     refuses unknown references and descriptors vcsim would crash on
//     (InvalidArgument).
//   - A VM's Destroy_Task ends once the VM's folder is deleted, as on ESXi
//     (vcsim's ends while a task of its own may still be deleting it).
//   - ShutdownGuest, RebootGuest and StandbyGuest need a powered-on VM
//     (InvalidPowerState) with VMware Tools running (ToolsUnavailable).
//   - Guest information: SetGuest sets guest.ipAddress, guest.net,
//     guest.hostName and the tools status; a VM that powers off or suspends
//     loses them, as on a real host. SetAutoGuest (Options.AutoGuest) makes
//     VMs report tools, host name and AutoGuestIP shortly after power-on.
//   - Free licence: SetFreeLicence(true) refuses every method of
//     WriteMethods() with RestrictedVersion and ESXi's faultstring "Current
//     license or ESXi version prohibits execution of the requested
//     operation."; reads, sessions, ExportVm and NFC transfers still work, and
//     LicenseManager.licenses shows the free edition
//     (esx.hypervisor.cpuPackageCoreLimited). The refused methods: VM
//     inventory and settings (CreateVM_Task, RegisterVM_Task, UnregisterVM,
//     Destroy_Task, Rename_Task, ReconfigVM_Task, UpgradeVM_Task,
//     MarkAsTemplate, MarkAsVirtualMachine, CustomizeVM_Task, SetCustomValue,
//     MoveIntoFolder_Task, ImportVApp); power (PowerOnVM_Task,
//     PowerOffVM_Task, ResetVM_Task, SuspendVM_Task, ShutdownGuest,
//     RebootGuest, StandbyGuest); snapshots (CreateSnapshot_Task,
//     CreateSnapshotEx_Task, RemoveSnapshot_Task, RevertToSnapshot_Task,
//     RevertToCurrentSnapshot_Task, RemoveAllSnapshots_Task, RenameSnapshot,
//     ConsolidateVMDisks_Task); disks and files (CopyVirtualDisk_Task,
//     CreateVirtualDisk_Task, DeleteVirtualDisk_Task, MoveVirtualDisk_Task,
//     ExtendVirtualDisk_Task, InflateVirtualDisk_Task, ShrinkVirtualDisk_Task,
//     EagerZeroVirtualDisk_Task, ZeroFillVirtualDisk_Task, SetVirtualDiskUuid,
//     MakeDirectory, DeleteDatastoreFile_Task, MoveDatastoreFile_Task,
//     CopyDatastoreFile_Task); host settings (CreateFolder,
//     CreateLocalDatastore, CreateNasDatastore, RemoveDatastore,
//     UpdateOptions, AddPortGroup, RemovePortGroup, UpdatePortGroup,
//     AddVirtualSwitch, RemoveVirtualSwitch). LocalClient logs in as the
//     host's own shell tools do: the free licence does not restrict its
//     session (vim-cmd and vmkfstools work on a free host), everything
//     else applies to it as to any client.
//   - SOAP faults carry ESXi's faultstring for the types ceso meets
//     (RestrictedVersion, NotSupported, InvalidLogin, ToolsUnavailable,
//     InvalidPowerState, DuplicateName, NotAuthenticated, TaskInProgress,
//     File*, InvalidDatastorePath, NoDiskSpace); still, classify faults by
//     type (fault.Is), never by text.
//
// # Fault and delay injection
//
// AddFault answers a fault (or only delays) on matching SOAP calls; FailTask
// makes a *_Task method return a Task that ends in error, as ESXi reports
// NoDiskSpace on CopyVirtualDisk_Task or CreateVM_Task, without doing
// anything on the host; SetMethodDelay delays calls ("*" = all) for API
// timeout tests and latency benchmarks. All three belong to one simulator.
// Requests counts the SOAP requests served over HTTP. Network faults (drops,
// partitions) belong in a proxy in front of the simulator, not here.
//
// # Still different from a real ESXi
//
//   - A delta's data file is the simulator's own (a text header, a grain
//     bitmap, then 4 KiB grains in a sparse file), not SEsparse's on-disk
//     layout; only its descriptor is ESXi's. Nothing but the simulator reads
//     it.
//   - Removing a snapshot whose disk state another delta chain still grows
//     from (after a revert to an older snapshot) is refused with
//     NotSupported; ESXi consolidates it. Memory snapshots and quiescing are
//     recorded and change nothing.
//   - VirtualMachineSnapshot.ExportSnapshot is vcsim's: its lease serves the
//     snapshot's descriptor files, not disk data.
//   - The NVRAM file's content is NVRAMContent, not a firmware's; its size
//     is the one ESXi's exports show (270840 bytes EFI, 8684 BIOS). Whether
//     ESXi sends a Content-Length for a disk of an export lease is not
//     known; the simulator sends none.
//   - The descriptor has no extraConfig (but nvram), CD-ROM, video or VMCI
//     items.
//   - A disk created by CreateVM_Task or ReconfigVM_Task has an empty
//     -flat.vmdk (vcsim), not a thin file of its capacity; seeded VMs' disks
//     are sparse files of their capacity.
//   - Free space is never checked; use FailTask for a full datastore.
//   - Task errors that vcsim raises itself read "*types.X"; those of
//     FailTask and of the corrections carry ESXi's text.
//   - RegisterVM_Task without a name is not checked for duplicates.
//
// # Process-wide state
//
// Simulators are independent and safe to run in parallel tests; everything
// above is per simulator. vcsim itself keeps some process-wide state:
// building a model appends to simulator.EvalLicense (serialised here by a
// package mutex); vcsim's own NFC leases (ExportSnapshot) live in a package
// map keyed by unique ids; vcsim logs through the standard log package; and
// simulator.TaskDelay, simulator.Trace and simulator.StatusSDK are globals
// this package never sets (do not set them in parallel tests).
package esxisim
