package sshhost

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// vmidVar stands for a vmid that only the host can tell: the number vim-cmd
// solo/registervm prints, or a VM's row in vim-cmd vmsvc/getallvms.
const vmidVar = "$vmid"

// plan is the dry run of Host: each call records the exact command lines
// the Host would run, in order, and runs nothing. A vmid that is not known
// without asking the host is shown as $vmid, with a detail saying where
// it comes from.
type plan struct {
	h      *Host
	record func(ops.Step)
}

var _ vm.Host = (*plan)(nil)

func (p *plan) step(cmd ssh.Command, detail string) {
	p.record(ops.Step{Via: "ssh", Action: cmd.String(), Detail: detail})
}

// vmStep records a vim-cmd vmsvc command on ref, whose vmid is the third
// word of the command; subst replaces other words by stand-ins.
func (p *plan) vmStep(ref vm.VMRef, build func(vmid string) (ssh.Command, error), detail string, subst map[int]string) error {
	vmid, known := p.vmid(ref)
	cmd, err := build(vmid)
	if err != nil {
		return err
	}
	var notes []string
	if detail != "" {
		notes = append(notes, detail)
	}
	if !known {
		subst = maps.Clone(subst)
		if subst == nil {
			subst = map[int]string{}
		}
		subst[2] = vmidVar
		if ref.ID == "" {
			notes = append(notes, "$vmid: the number vim-cmd solo/registervm printed")
		} else {
			notes = append(notes, fmt.Sprintf("$vmid: the Vmid of %q in vim-cmd vmsvc/getallvms", ref.Name))
		}
	}
	words := make([]string, len(cmd.Argv))
	for i, a := range cmd.Argv {
		words[i] = ssh.Quote(a)
		if s, ok := subst[i]; ok {
			words[i] = s
		}
	}
	p.record(ops.Step{Via: "ssh", Action: strings.Join(words, " "), Detail: strings.Join(notes, "; ")})
	return nil
}

// vmid returns ref's vmid if it is known without asking the host, else a
// stand-in that the builders accept.
func (p *plan) vmid(ref vm.VMRef) (string, bool) {
	if ssh.CheckVMID(ref.ID) == nil {
		return ref.ID, true
	}
	if id, ok := p.h.known(ref); ok {
		return id, true
	}
	return "1", false
}

func (p *plan) MakeDir(_ context.Context, dir string) error {
	cmd, err := mkdir(dir)
	if err != nil {
		return err
	}
	p.step(cmd, "")
	return nil
}

func (p *plan) DeleteDir(_ context.Context, dir string) error {
	cmd, err := ssh.RemoveVMDir(dir)
	if err != nil {
		return err
	}
	p.step(cmd, "")
	return nil
}

func (p *plan) CopyDisk(_ context.Context, src, dst, _ string) error {
	cmd, err := ssh.CloneDisk(src, dst)
	if err != nil {
		return err
	}
	p.step(cmd, "")
	return nil
}

func (p *plan) CopyFile(_ context.Context, src, dst string) error {
	cmd, err := copyFile(src, dst)
	if err != nil {
		return err
	}
	p.step(cmd, "")
	return nil
}

func (p *plan) DeleteDisk(_ context.Context, path string) error {
	cmd, err := deleteDisk(path)
	if err != nil {
		return err
	}
	p.step(cmd, "")
	return nil
}

func (p *plan) CreateVM(_ context.Context, v *vm.NewVM) (vm.VMRef, error) {
	write, register, err := createCommands(v)
	if err != nil {
		return vm.VMRef{}, err
	}
	// The content goes on stdin, not in the command line: its digest is
	// in the plan, so that a plan (and an approval of it) covers it.
	sum := sha256.Sum256(write.Stdin)
	p.step(write, fmt.Sprintf("writes the .vmx of %s: %d bytes on stdin, SHA-256 %x", v.Name, len(write.Stdin), sum))
	p.step(register, "prints the new VM's vmid")
	return vm.VMRef{Name: v.Name}, nil
}

func (p *plan) GrowDisk(_ context.Context, ref vm.VMRef, path string, capacity int64) error {
	cmd, err := growDisk(path, capacity)
	if err != nil {
		return err
	}
	p.step(cmd, "grows to "+vm.FormatBytes(capacity))
	return p.vmStep(ref, ssh.Reload, "makes hostd read the new size", nil)
}

func (p *plan) Power(_ context.Context, ref vm.VMRef, op vm.PowerOp) error {
	sop, ok := powerOps[op]
	if !ok {
		return fmt.Errorf("%w: power operation %q", vm.ErrInvalidSpec, op)
	}
	return p.vmStep(ref, func(vmid string) (ssh.Command, error) { return ssh.Power(sop, vmid) }, "", nil)
}

func (p *plan) Destroy(_ context.Context, ref vm.VMRef) error {
	return p.vmStep(ref, ssh.Destroy, "", nil)
}

func (p *plan) CreateSnapshot(_ context.Context, ref vm.VMRef, name string) (string, error) {
	err := p.vmStep(ref, func(vmid string) (ssh.Command, error) {
		return ssh.SnapshotCreate(vmid, name, snapshotDescription, false, false)
	}, "disks only: no memory, no quiescing", nil)
	if err != nil {
		return "", err
	}
	return name, p.vmStep(ref, snapshotGet, "reads the new snapshot's id", nil)
}

func (p *plan) RemoveSnapshot(_ context.Context, ref vm.VMRef, id string) error {
	sid, err := snapshotID(id)
	if err == nil {
		return p.vmStep(ref, func(vmid string) (ssh.Command, error) { return ssh.SnapshotRemove(vmid, sid) }, "", nil)
	}
	// In a dry run the snapshot does not exist: CreateSnapshot returned its name.
	return p.vmStep(ref, func(vmid string) (ssh.Command, error) { return ssh.SnapshotRemove(vmid, "1") },
		fmt.Sprintf("$snapshot: the Snapshot Id of %q in vim-cmd vmsvc/snapshot.get", id), map[int]string{3: "$snapshot"})
}

func (p *plan) DryRun(record func(ops.Step)) vm.Host { return &plan{h: p.h, record: record} }
