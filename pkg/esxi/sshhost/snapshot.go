package sshhost

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// snapshotDescription is the description of the snapshots the lifecycle
// takes, as the API path writes it.
const snapshotDescription = "taken by ceso to copy the disks; removed when done"

// CreateSnapshot runs vim-cmd vmsvc/snapshot.create (disks only: no
// memory, no quiescing), then vim-cmd vmsvc/snapshot.get to learn the new
// snapshot's id, which vim-cmd does not print.
func (h *Host) CreateSnapshot(ctx context.Context, ref vm.VMRef, name string) (string, error) {
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("taking snapshot of VM %q over ssh: %w", ref.Name, err)
	}
	vmid, err := h.vmid(ctx, ref)
	if err != nil {
		return fail(err)
	}
	cmd, err := ssh.SnapshotCreate(vmid, name, snapshotDescription, false, false)
	if err := h.simple(ctx, cmd, err); err != nil {
		return fail(err)
	}
	get, err := snapshotGet(vmid)
	if err != nil {
		return fail(err)
	}
	res, err := h.exec(ctx, get)
	if err != nil {
		return fail(err)
	}
	snaps, err := ParseSnapshots(res.Output())
	if err != nil {
		return fail(classify(err))
	}
	id := ""
	for _, s := range snaps {
		if s.Name == name {
			id = s.ID // the last one of that name is the newest
		}
	}
	if id == "" {
		return fail(fmt.Errorf("%w: snapshot %q is not in vim-cmd vmsvc/snapshot.get", client.ErrNotFound, name))
	}
	return id, nil
}

// RemoveSnapshot runs vim-cmd vmsvc/snapshot.remove, which merges the
// snapshot's changes into the disks. id is vim-cmd's snapshot id, or the
// API's reference of the snapshot ("12-snapshot-5").
func (h *Host) RemoveSnapshot(ctx context.Context, ref vm.VMRef, id string) error {
	fail := func(err error) error {
		return fmt.Errorf("removing snapshot %s of VM %q over ssh: %w", id, ref.Name, err)
	}
	sid, err := snapshotID(id)
	if err != nil {
		return fail(err)
	}
	vmid, err := h.vmid(ctx, ref)
	if err != nil {
		return fail(err)
	}
	cmd, err := ssh.SnapshotRemove(vmid, sid)
	if err := h.simple(ctx, cmd, err); err != nil {
		return fail(err)
	}
	return nil
}
