// Package esxihost is what the backup engine needs of an ESXi host, over
// govmomi: finding a VM and reading its configuration and the layout of its
// files (disks' data extents, the NVRAM file), guest shutdown and power,
// snapshots, rename, destroy and reconfigure (a new UUID and MAC addresses,
// guestinfo), the OVF descriptor, the datastore's HTTPS file access (Get,
// Put, Size, and ReadRanges with several Range requests in flight), and the
// two NFC leases: an export (ExportVm) whose disks and NVRAM file are read
// as streams, and an import (OVF import spec, ImportVApp) whose files are
// written as streams. While a lease is
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
