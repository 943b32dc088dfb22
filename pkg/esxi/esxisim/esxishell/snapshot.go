package esxishell

import (
	"context"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// snapshot runs vim-cmd vmsvc/snapshot.create, .get, .remove and
// .removeall.
func (s *Shell) snapshot(ctx context.Context, op string, args []string) result {
	if len(args) < 1 {
		return failed("Insufficient arguments.\n", 1)
	}
	v, fail := s.vm(ctx, args[0], "snapshot")
	if fail != nil {
		return *fail
	}
	vm := object.NewVirtualMachine(s.vim(), v.Self)
	switch op {
	case "create":
		// snapshot.create VMID [NAME] [DESCRIPTION] [MEMORY] [QUIESCE]
		a := append(args[1:], "", "", "0", "0")
		if err := wait(ctx)(vm.CreateSnapshot(ctx, a[0], a[1], a[2] == "1", a[3] == "1")); err != nil {
			return callResult("Create Snapshot failed", err)
		}
		return ok("Create Snapshot:\n")
	case "get":
		var b strings.Builder
		b.WriteString("Get Snapshot:\n")
		if v.Snapshot != nil {
			writeTree(&b, v.Snapshot.RootSnapshotList, 1)
		}
		return ok(b.String())
	case "removeall":
		if err := wait(ctx)(vm.RemoveAllSnapshot(ctx, types.NewBool(true))); err != nil {
			return callResult("Remove All Snapshots failed", err)
		}
		return ok("Remove All Snapshots:\n")
	case "remove":
		if len(args) < 2 {
			return failed("Insufficient arguments.\n", 1)
		}
		return s.removeSnapshot(ctx, v.Snapshot, args[1])
	}
	return failed("Unknown command: 'vmsvc/snapshot."+op+"'\n", 1)
}

// writeTree prints snapshots as snapshot.get does, two dashes a level.
func writeTree(b *strings.Builder, list []types.VirtualMachineSnapshotTree, depth int) {
	dashes := strings.Repeat("-", 2*depth)
	for _, t := range list {
		label := "|-ROOT"
		if depth > 1 {
			label = strings.Repeat("-", 2*(depth-1)) + "|-CHILD"
		}
		c := t.CreateTime
		state := "powered off"
		if t.State == types.VirtualMachinePowerStatePoweredOn {
			state = "powered on"
		}
		fmt.Fprintf(b, "%s\n%sSnapshot Name        : %s\n%sSnapshot Id        : %s\n%sSnapshot Desciption  : %s\n",
			label, dashes, t.Name, dashes, strings.TrimPrefix(t.Snapshot.Value, "snapshot-"), dashes, t.Description)
		fmt.Fprintf(b, "%sSnapshot Created On  : %d/%d/%d %d:%d:%d\n%sSnapshot State       : %s\n",
			dashes, c.Month(), c.Day(), c.Year(), c.Hour(), c.Minute(), c.Second(), dashes, state)
		writeTree(b, t.ChildSnapshotList, depth+1)
	}
}

// removeSnapshot removes the snapshot whose id is id, merging its changes.
func (s *Shell) removeSnapshot(ctx context.Context, info *types.VirtualMachineSnapshotInfo, id string) result {
	var ref *types.ManagedObjectReference
	if info != nil {
		ref = findSnapshot(info.RootSnapshotList, "snapshot-"+id)
	}
	if ref == nil {
		return faultResult("Remove Snapshot failed", &types.NotFound{}, "")
	}
	req := types.RemoveSnapshot_Task{This: *ref, RemoveChildren: false, Consolidate: types.NewBool(true)}
	res, err := methods.RemoveSnapshot_Task(ctx, s.vim(), &req)
	if err == nil {
		err = object.NewTask(s.vim(), res.Returnval).Wait(ctx)
	}
	if err != nil {
		return callResult("Remove Snapshot failed", err)
	}
	return ok("Remove Snapshot:\n")
}

func findSnapshot(list []types.VirtualMachineSnapshotTree, value string) *types.ManagedObjectReference {
	for _, t := range list {
		if t.Snapshot.Value == value {
			return &t.Snapshot
		}
		if r := findSnapshot(t.ChildSnapshotList, value); r != nil {
			return r
		}
	}
	return nil
}
