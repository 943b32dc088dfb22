// Package esxihost is what the backup engine needs of an ESXi host, over
// govmomi: finding a VM and reading its configuration, guest shutdown and
// power, rename, destroy and reconfigure (a new UUID and MAC addresses,
// guestinfo), the OVF descriptor, and the two NFC leases: an export
// (ExportVm) whose disks are read as streams, and an import (OVF import
// spec, ImportVApp) whose disks are written as streams. While a lease is
// open a keeper reports its progress to the host at a fraction of the
// lease timeout, so that a long transfer never lets it expire.
//
// An import goes to a folder of its own: when the datastore already has a
// folder of the VM's name (the VM a restore replaces keeps it until it is
// removed), the new VM goes to "<name>_1", as ESXi names such folders.
//
// Faults are classified with client.Classify. The package knows nothing of
// archives, targets or the catalog; it is the backup packages' only user of
// the vSphere API besides the datastore target.
package esxihost
