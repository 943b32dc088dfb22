package esxihost

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Snapshot is one snapshot of a VM.
type Snapshot struct {
	// Ref is the snapshot's managed object id ("snapshot-5"; on a
	// standalone host vim-cmd's snapshot id is its number).
	Ref         string
	Name        string
	Description string
}

// Snapshots lists the VM's snapshots, parents before their children.
func (h *Host) Snapshots(ctx context.Context, v VM) ([]Snapshot, error) {
	if planned(v) {
		return nil, nil
	}
	var m mo.VirtualMachine
	if err := property.DefaultCollector(h.c.Vim()).RetrieveOne(ctx, v.Reference(), []string{"snapshot"}, &m); err != nil {
		return nil, fmt.Errorf("reading the VM's snapshots: %w", client.Classify(err))
	}
	var out []Snapshot
	if m.Snapshot != nil {
		flatten(m.Snapshot.RootSnapshotList, &out)
	}
	return out, nil
}

func flatten(list []types.VirtualMachineSnapshotTree, out *[]Snapshot) {
	for _, t := range list {
		*out = append(*out, Snapshot{Ref: t.Snapshot.Value, Name: t.Name, Description: t.Description})
		flatten(t.ChildSnapshotList, out)
	}
}

// CreateSnapshot takes a snapshot of the VM's disks, without its memory;
// with quiesce, VMware Tools flush and freeze the guest's file systems
// first. It returns the snapshot's reference (in a dry run, "").
func (h *Host) CreateSnapshot(ctx context.Context, v VM, name, description string, quiesce bool) (string, error) {
	if h.dry() {
		how := "without memory, crash-consistent"
		if quiesce {
			how = "without memory, quiesced by VMware Tools"
		}
		h.step("CreateSnapshot_Task", v, "%q, %s", name, how)
		return "", nil
	}
	task, err := v.CreateSnapshot(ctx, name, description, false, quiesce)
	var info *types.TaskInfo
	if err == nil {
		info, err = task.WaitForResult(ctx, nil)
	}
	if err != nil {
		return "", fmt.Errorf("taking snapshot %q: %w", name, client.Classify(err))
	}
	ref, ok := info.Result.(types.ManagedObjectReference)
	if !ok {
		return "", fmt.Errorf("taking snapshot %q: the task returned %T, not a snapshot", name, info.Result)
	}
	return ref.Value, nil
}

// RemoveSnapshot deletes the snapshot ref of the VM, merging its changes
// into the disks (RemoveSnapshot_Task with consolidation).
func (h *Host) RemoveSnapshot(ctx context.Context, v VM, ref, name string) error {
	if h.dry() {
		h.step("RemoveSnapshot_Task", v, "%q, its changes merged into the disks", name)
		return nil
	}
	req := types.RemoveSnapshot_Task{
		This:           types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: ref},
		RemoveChildren: false,
		Consolidate:    types.NewBool(true),
	}
	err := waitTask(ctx, func(ctx context.Context) (*object.Task, error) {
		r, err := methods.RemoveSnapshot_Task(ctx, h.c.Vim(), &req)
		if err != nil {
			return nil, err
		}
		return object.NewTask(h.c.Vim(), r.Returnval), nil
	})
	if err != nil {
		return fmt.Errorf("removing snapshot %q: %w", name, client.Classify(err))
	}
	return nil
}
