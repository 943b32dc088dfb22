package sshhost

import (
	"context"
	"errors"
	"fmt"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// createCommands returns the commands that write v's .vmx and register
// it: the file writes, then vim-cmd solo/registervm.
func createCommands(v *vm.NewVM) (write, register ssh.Command, err error) {
	content, err := VMX(v)
	if err != nil {
		return ssh.Command{}, ssh.Command{}, err
	}
	if write, err = writeFile(v.Path, content); err != nil {
		return ssh.Command{}, ssh.Command{}, err
	}
	if register, err = ssh.RegisterVM(v.Path); err != nil {
		return ssh.Command{}, ssh.Command{}, err
	}
	return write, register, nil
}

// CreateVM writes the VM's .vmx (see VMX) into its folder, refusing to
// overwrite one, and registers it with vim-cmd solo/registervm. It returns
// the VM by the reference the Inventory finds for it, or by its vmid.
func (h *Host) CreateVM(ctx context.Context, v *vm.NewVM) (vm.VMRef, error) {
	fail := func(err error) (vm.VMRef, error) {
		return vm.VMRef{}, fmt.Errorf("creating VM %q over ssh: %w", v.Name, err)
	}
	write, register, err := createCommands(v)
	if err != nil {
		return fail(err)
	}
	res, err := h.exec(ctx, write)
	if err == nil {
		err = writeError(res)
	}
	if err != nil {
		return fail(fmt.Errorf("writing %s: %w", v.Path, err))
	}
	res, err = h.exec(ctx, register)
	if err != nil {
		return fail(err)
	}
	vmid, err := ssh.ParseRegisterVM(res.Output())
	if err != nil {
		return fail(classify(err))
	}
	ref := vm.VMRef{ID: vmid, Name: v.Name}
	if h.opts.Inventory == nil {
		return ref, nil
	}
	found, err := h.opts.Inventory.VMByPath(ctx, v.Path)
	if err != nil {
		return ref, fmt.Errorf("VM %q was registered as vmid %s, but finding it over the API failed: %w", v.Name, vmid, err)
	}
	found.Name = v.Name
	h.remember(found, vmid)
	return found, nil
}

// writeError reads the result of a file write: a file that exists already
// (noclobber) is ErrAlreadyExists.
func writeError(res ssh.Result) error {
	err := res.Err()
	var exit *ssh.ExitError
	if errors.As(err, &exit) && containsFold(exit.Text, "file exists") {
		return fmt.Errorf("%w: %w", client.ErrAlreadyExists, err)
	}
	return classify(err)
}
