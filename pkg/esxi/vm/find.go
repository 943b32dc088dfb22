package vm

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Find returns the reference of the VM with exactly that name.
func Find(ctx context.Context, c *client.Client, name string) (types.ManagedObjectReference, error) {
	vms, err := retrieveAll(ctx, c.Vim(), []string{"name"})
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("looking up VM %q: %w", name, err)
	}
	var found []types.ManagedObjectReference
	for _, vm := range vms {
		if vm.Name == name {
			found = append(found, vm.Self)
		}
	}
	switch len(found) {
	case 0:
		return types.ManagedObjectReference{}, fmt.Errorf("%w: %q (see ceso vm list)", ErrNotFound, name)
	case 1:
		return found[0], nil
	}
	return types.ManagedObjectReference{}, fmt.Errorf("%w: %q matches %d VMs", ErrAmbiguous, name, len(found))
}

// fetch retrieves props of one VM.
func fetch(ctx context.Context, c *client.Client, ref types.ManagedObjectReference, props []string) (*mo.VirtualMachine, error) {
	var vm mo.VirtualMachine
	if err := property.DefaultCollector(c.Vim()).RetrieveOne(ctx, ref, props, &vm); err != nil {
		err = client.Classify(err)
		if client.IsFault(err, &types.ManagedObjectNotFound{}) {
			return nil, fmt.Errorf("%w: %s disappeared", ErrNotFound, ref.Value)
		}
		return nil, err
	}
	return &vm, nil
}
