// Package archive defines what a ceso backup is on a target: its layout, the
// names of its files, the manifest that lists the SHA-256 and size of every
// file, the record of the VM's configuration, the OVF manifest (.mf) that
// ovftool checks, and the checks an OVF descriptor must pass to be imported.
// docs/backup-format.md describes the same format for people restoring
// without ceso.
//
// A backup of VM "web" taken with ID 20261103T021500Z-3f9a1c2b lives in the
// directory web/20261103T021500Z-3f9a1c2b/ of its target:
//
//	web.ovf                 OVF descriptor, as the host wrote it for the export
//	web.mf                  OVF manifest: SHA256(file)= digest of the descriptor and every disk
//	web-disk-0.vmdk.zst     each disk, streamOptimized (or flat), compressed with zstd
//	web.nvram               the VM's firmware variables, when it has them
//	config.json             the VM's configuration: hardware, networks, guestinfo
//	manifest.json           every file above with its size and SHA-256, compressed and not
//
// While a backup is written its directory is named with the suffix
// TempSuffix; it is renamed into place once every file is stored, so a
// directory without that suffix is whole.
//
// Version 2 (this code) adds the NVRAM file (web.nvram, kind nvram) and
// records each disk's format (streamOptimized or flat) and how the disks
// were captured (config.json's consistency).
//
// The package only describes and checks data. It does no I/O and knows
// nothing of hosts, targets or the catalog.
package archive
