// Package vm is ceso's VM layer over the vSphere API of a standalone ESXi
// host: list and info in one property-collector retrieval, create from a
// template and clone by disk copy (a standalone host refuses CloneVM_Task),
// delete, power, and waiting for a guest address, with rollback of partial
// work.
//
// A copy (create or clone) takes the source's current state: a disk on a
// snapshot delta is copied through its chain into one flat disk (the host's
// CopyVirtualDisk_Task and vmkfstools -i consolidate), and the source's
// NVRAM file (EFI boot entries and Secure Boot keys), when it has one, is
// copied into the new VM's folder and named by its nvram key. A source
// never powered on has no NVRAM file; the copy then gets a fresh one at its
// first power-on.
//
// It takes a *client.Client and classifies faults with client.Classify. It
// must not import the CLI, the server, or the SSH transport's callers.
package vm
