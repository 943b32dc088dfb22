// Package vm is ceso's VM layer over the vSphere API of a standalone ESXi
// host: list and info in one property-collector retrieval, create from a
// template and clone by disk copy (a standalone host refuses CloneVM_Task),
// delete, power, and waiting for a guest address, with rollback of partial
// work.
//
// It takes a *client.Client and classifies faults with client.Classify. It
// must not import the CLI, the server, or the SSH transport's callers.
package vm
