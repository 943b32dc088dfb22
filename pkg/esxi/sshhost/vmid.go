package sshhost

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// vmid returns the vim-cmd id of ref. On a standalone host the API's
// reference of a VM is its vmid, which is used as it is. Another reference
// (a VM this Host registered and the Inventory renamed, or one from
// elsewhere) is looked up: first among the VMs this Host knows, then by
// name in vim-cmd vmsvc/getallvms.
func (h *Host) vmid(ctx context.Context, ref vm.VMRef) (string, error) {
	if ssh.CheckVMID(ref.ID) == nil {
		return ref.ID, nil
	}
	if id, ok := h.known(ref); ok {
		return id, nil
	}
	res, err := h.exec(ctx, ssh.GetAllVMs())
	if err != nil {
		return "", err
	}
	vms, err := ssh.ParseGetAllVMs(res.Output())
	if err != nil {
		return "", classify(err)
	}
	var ids []string
	for _, v := range vms {
		if v.Name == ref.Name {
			ids = append(ids, v.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%w: no VM %q in vim-cmd vmsvc/getallvms", client.ErrNotFound, ref.Name)
	case 1:
		h.remember(ref, ids[0])
		return ids[0], nil
	}
	return "", fmt.Errorf("%w: %d VMs are called %q (vmids %s)", vm.ErrAmbiguous, len(ids), ref.Name, strings.Join(ids, ", "))
}

// known returns the vmid remembered for ref, if any.
func (h *Host) known(ref vm.VMRef) (string, bool) {
	if ref.ID == "" {
		return "", false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	id, ok := h.vmids[ref.ID]
	return id, ok
}

func (h *Host) remember(ref vm.VMRef, vmid string) {
	if ref.ID == "" || ref.ID == vmid {
		return
	}
	h.mu.Lock()
	h.vmids[ref.ID] = vmid
	h.mu.Unlock()
}

func (h *Host) forget(ref vm.VMRef) {
	h.mu.Lock()
	delete(h.vmids, ref.ID)
	h.mu.Unlock()
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
