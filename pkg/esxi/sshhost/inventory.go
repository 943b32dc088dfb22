package sshhost

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// APIInventory finds VMs over the API of a session; reads work on every
// licence.
type APIInventory struct {
	C *client.Client
}

var _ Inventory = APIInventory{}

// VMByPath lists the host's VMs (one property-collector call) and returns
// the one whose .vmx is at path.
func (i APIInventory) VMByPath(ctx context.Context, path string) (vm.VMRef, error) {
	vms, err := vm.List(ctx, i.C, vm.Filter{})
	if err != nil {
		return vm.VMRef{}, err
	}
	for _, s := range vms {
		if s.Path == path {
			return vm.VMRef{ID: s.ID, Name: s.Name}, nil
		}
	}
	return vm.VMRef{}, fmt.Errorf("%w: no VM is registered from %s", client.ErrNotFound, path)
}
