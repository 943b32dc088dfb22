package backup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/ops"
)

// plannedVMID stands in a plan for a vmid only the host can tell.
const plannedVMID = "$vmid"

// vmidStandIn is the number a dry run builds commands with where the vmid
// is not known; the plan shows plannedVMID instead.
const vmidStandIn = "4294967295"

// vmid is the VM's vim-cmd id: on a standalone host its API reference,
// when that is a number; otherwise its row in vim-cmd vmsvc/getallvms,
// found by name (a dry run shows plannedVMID instead of asking).
func (w *writes) vmid(ctx context.Context, v esxihost.VM, name string) (string, error) {
	if v != nil && ssh.CheckVMID(v.Reference().Value) == nil {
		return v.Reference().Value, nil
	}
	if w.d.dry() {
		return vmidStandIn, nil
	}
	res, err := w.output(ctx, ssh.GetAllVMs())
	if err != nil {
		return "", err
	}
	vms, err := ssh.ParseGetAllVMs(res.Output())
	if err != nil {
		return "", err
	}
	var ids []string
	for _, r := range vms {
		if r.Name == name {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) != 1 {
		return "", fmt.Errorf("%w: %d VMs are called %q in vim-cmd vmsvc/getallvms", client.ErrNotFound, len(ids), name)
	}
	return ids[0], nil
}

// exec runs a command whose success prints nothing worth reading; a dry
// run records it, with detail.
func (w *writes) exec(ctx context.Context, cmd ssh.Command, detail string) error {
	if w.d.dry() {
		w.record(cmd, detail)
		return nil
	}
	res, err := w.output(ctx, cmd)
	if err != nil {
		return err
	}
	return shellErr(res.Err())
}

// output runs a command and returns what it printed.
func (w *writes) output(ctx context.Context, cmd ssh.Command) (ssh.Result, error) {
	res, err := w.run.Run(ctx, cmd)
	if errors.Is(err, ssh.ErrClosed) {
		err = errkind.Wrap(errkind.Connection, err)
	}
	return res, err
}

// record puts a command into the plan as the exact line the run sends,
// with the stand-in vmid shown as plannedVMID.
func (w *writes) record(cmd ssh.Command, detail string) {
	words := make([]string, len(cmd.Argv))
	unknown := false
	for i, a := range cmd.Argv {
		words[i] = ssh.Quote(a)
		if a == vmidStandIn {
			words[i], unknown = plannedVMID, true
		}
	}
	if unknown {
		detail = strings.TrimPrefix(detail+"; $vmid: the VM's Vmid in vim-cmd vmsvc/getallvms", "; ")
	}
	w.d.Plan(ops.Step{Via: "ssh", Action: strings.Join(words, " "), Detail: detail})
}

// shellSentinels map what a command printed to the API path's errors.
var shellSentinels = []struct{ ssh, client error }{
	{ssh.ErrNotFound, client.ErrNotFound},
	{ssh.ErrAlreadyExists, client.ErrAlreadyExists},
	{ssh.ErrInvalidPowerState, client.ErrInvalidPowerState},
	{ssh.ErrNoSpace, client.ErrNoDiskSpace},
	{ssh.ErrToolsUnavailable, client.ErrToolsUnavailable},
	{ssh.ErrRestrictedVersion, client.ErrRestrictedVersion},
}

// shellErr classifies the error of a command as the API path's.
func shellErr(err error) error {
	for _, s := range shellSentinels {
		if errors.Is(err, s.ssh) {
			return fmt.Errorf("%w: %w", s.client, err)
		}
	}
	return err
}
