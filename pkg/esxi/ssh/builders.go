package ssh

import (
	"fmt"
	"strings"
)

// The programs the builders run. Both are on the PATH of an ESXi SSH
// session (/bin and /sbin).
const (
	vimCmd     = "vim-cmd"
	vmkfstools = "vmkfstools"
)

// GetAllVMs lists the registered VMs: vim-cmd vmsvc/getallvms. Parse its
// output with ParseGetAllVMs.
func GetAllVMs() Command {
	return Command{Argv: []string{vimCmd, "vmsvc/getallvms"}}
}

// PowerGetState asks for a VM's power state: vim-cmd vmsvc/power.getstate
// VMID. Parse its output with ParsePowerState.
func PowerGetState(vmid string) (Command, error) {
	return vmsvc("power.getstate", vmid)
}

// Power runs a power operation on a VM: vim-cmd vmsvc/power.<op> VMID.
// Classify its result with ClassifyPowerResult.
func Power(op PowerOp, vmid string) (Command, error) {
	if !op.valid() {
		return Command{}, fmt.Errorf("power operation %q: %w", string(op), ErrInvalidArgument)
	}
	return vmsvc("power."+string(op), vmid)
}

// PowerOn powers a VM on: vim-cmd vmsvc/power.on VMID.
func PowerOn(vmid string) (Command, error) { return Power(PowerOpOn, vmid) }

// PowerOff powers a VM off at once, like pulling the plug: vim-cmd
// vmsvc/power.off VMID.
func PowerOff(vmid string) (Command, error) { return Power(PowerOpOff, vmid) }

// PowerShutdown asks the guest to shut down through VMware Tools: vim-cmd
// vmsvc/power.shutdown VMID. It returns before the guest is off.
func PowerShutdown(vmid string) (Command, error) { return Power(PowerOpShutdown, vmid) }

// PowerReset resets a powered-on VM: vim-cmd vmsvc/power.reset VMID.
func PowerReset(vmid string) (Command, error) { return Power(PowerOpReset, vmid) }

// PowerSuspend suspends a powered-on VM: vim-cmd vmsvc/power.suspend VMID.
func PowerSuspend(vmid string) (Command, error) { return Power(PowerOpSuspend, vmid) }

// PowerReboot asks the guest to reboot through VMware Tools: vim-cmd
// vmsvc/power.reboot VMID.
func PowerReboot(vmid string) (Command, error) { return Power(PowerOpReboot, vmid) }

// Reload makes hostd re-read a VM's .vmx file: vim-cmd vmsvc/reload VMID.
func Reload(vmid string) (Command, error) { return vmsvc("reload", vmid) }

// Unregister removes a VM from the inventory and keeps its files: vim-cmd
// vmsvc/unregister VMID.
func Unregister(vmid string) (Command, error) { return vmsvc("unregister", vmid) }

// Destroy deletes a powered-off VM and its files: vim-cmd vmsvc/destroy
// VMID.
func Destroy(vmid string) (Command, error) { return vmsvc("destroy", vmid) }

// RegisterVM adds a VM to the inventory from its .vmx file, given as a
// datastore path: vim-cmd solo/registervm /vmfs/volumes/ds/dir/vm.vmx. Parse
// its output with ParseRegisterVM.
func RegisterVM(vmxDatastorePath string) (Command, error) {
	vmx, err := shellFile(vmxDatastorePath, ".vmx")
	if err != nil {
		return Command{}, err
	}
	return Command{Argv: []string{vimCmd, "solo/registervm", vmx}}, nil
}

// CloneDisk copies a virtual disk (its descriptor .vmdk, given as datastore
// paths) to a new thin-provisioned disk: vmkfstools -i SRC -d thin DST. The
// destination folder must exist. Check the result with ParseVmkfstools.
func CloneDisk(srcDatastorePath, dstDatastorePath string) (Command, error) {
	src, err := shellFile(srcDatastorePath, ".vmdk")
	if err != nil {
		return Command{}, fmt.Errorf("clone source: %w", err)
	}
	dst, err := shellFile(dstDatastorePath, ".vmdk")
	if err != nil {
		return Command{}, fmt.Errorf("clone destination: %w", err)
	}
	if src == dst {
		return Command{}, fmt.Errorf("clone source and destination are both %q: %w", src, ErrInvalidArgument)
	}
	return Command{Argv: []string{vmkfstools, "-i", src, "-d", "thin", dst}}, nil
}

// Mkdir creates a folder on a datastore, with its parents: mkdir -p
// /vmfs/volumes/ds/dir. The datastore's root is refused.
func Mkdir(datastorePath string) (Command, error) {
	dp, err := ParseDatastorePath(datastorePath)
	if err != nil {
		return Command{}, err
	}
	if dp.Datastore == "" || dp.Path == "" {
		return Command{}, fmt.Errorf("mkdir %q: need a folder inside a named datastore: %w", datastorePath, ErrInvalidArgument)
	}
	return Command{Argv: []string{"mkdir", "-p", dp.Shell()}}, nil
}

// RemoveVMDir deletes a VM's folder and everything in it: rm -rf
// /vmfs/volumes/ds/dir. Only a folder directly under a named datastore's
// root is accepted, "[ds] dir" or "[ds] dir/": no deeper path, no absolute
// path, no hidden folder (the datastore's system folders start with a dot),
// and never the datastore itself.
func RemoveVMDir(vmDirDatastorePath string) (Command, error) {
	dp, err := ParseDatastorePath(vmDirDatastorePath)
	if err != nil {
		return Command{}, err
	}
	switch {
	case dp.Datastore == "":
		return Command{}, fmt.Errorf("remove %q: not on a named datastore: %w", vmDirDatastorePath, ErrInvalidArgument)
	case dp.Path == "":
		return Command{}, fmt.Errorf("remove %q: refusing to remove a datastore's root: %w", vmDirDatastorePath, ErrInvalidArgument)
	case strings.Contains(dp.Path, "/"):
		return Command{}, fmt.Errorf("remove %q: a VM folder lies directly under the datastore's root: %w", vmDirDatastorePath, ErrInvalidArgument)
	case strings.HasPrefix(dp.Path, "."):
		return Command{}, fmt.Errorf("remove %q: refusing to remove a hidden folder: %w", vmDirDatastorePath, ErrInvalidArgument)
	case strings.TrimSpace(dp.Path) == "" || strings.HasPrefix(dp.Path, "-"):
		return Command{}, fmt.Errorf("remove %q: not a VM folder name: %w", vmDirDatastorePath, ErrInvalidArgument)
	}
	return Command{Argv: []string{"rm", "-rf", dp.Shell()}}, nil
}

// SnapshotCreate takes a snapshot: vim-cmd vmsvc/snapshot.create VMID NAME
// DESCRIPTION MEMORY QUIESCE, the last two as 1 or 0.
func SnapshotCreate(vmid, name, description string, memory, quiesce bool) (Command, error) {
	c, err := vmsvc("snapshot.create", vmid)
	if err != nil {
		return Command{}, err
	}
	if name == "" || strings.HasPrefix(name, "-") || strings.ContainsAny(name, "\x00\n\r") {
		return Command{}, fmt.Errorf("snapshot name %q: %w", name, ErrInvalidArgument)
	}
	if strings.IndexByte(description, 0) >= 0 {
		return Command{}, fmt.Errorf("snapshot description holds a NUL byte: %w", ErrInvalidArgument)
	}
	c.Argv = append(c.Argv, name, description, flag01(memory), flag01(quiesce))
	return c, nil
}

// SnapshotRemove deletes one snapshot by its id (the "Snapshot Id" of
// vim-cmd vmsvc/snapshot.get): vim-cmd vmsvc/snapshot.remove VMID ID.
func SnapshotRemove(vmid, snapshotID string) (Command, error) {
	c, err := vmsvc("snapshot.remove", vmid)
	if err != nil {
		return Command{}, err
	}
	if !isDigits(snapshotID) {
		return Command{}, fmt.Errorf("snapshot id %q is not a number: %w", snapshotID, ErrInvalidArgument)
	}
	c.Argv = append(c.Argv, snapshotID)
	return c, nil
}

// SnapshotRemoveAll deletes every snapshot of a VM: vim-cmd
// vmsvc/snapshot.removeall VMID.
func SnapshotRemoveAll(vmid string) (Command, error) { return vmsvc("snapshot.removeall", vmid) }

// vmsvc builds "vim-cmd vmsvc/<sub> VMID" after checking the vmid.
func vmsvc(sub, vmid string) (Command, error) {
	if err := CheckVMID(vmid); err != nil {
		return Command{}, err
	}
	return Command{Argv: []string{vimCmd, "vmsvc/" + sub, vmid}}, nil
}

// CheckVMID returns an error wrapping ErrInvalidArgument unless vmid is a
// vim-cmd VM id: 1 to 10 digits, no sign, no leading zero.
func CheckVMID(vmid string) error {
	if !isDigits(vmid) || vmid[0] == '0' {
		return fmt.Errorf("vmid %q is not a positive number: %w", vmid, ErrInvalidArgument)
	}
	return nil
}

// isDigits reports whether s is 1 to 10 ASCII digits.
func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// shellFile converts a datastore path naming a file with the given
// extension to its shell path.
func shellFile(datastorePath, ext string) (string, error) {
	dp, err := ParseDatastorePath(datastorePath)
	if err != nil {
		return "", err
	}
	base := dp.Path[strings.LastIndexByte(dp.Path, '/')+1:]
	if !strings.HasSuffix(base, ext) || base == ext {
		return "", fmt.Errorf("%q does not name a %s file: %w", datastorePath, ext, ErrInvalidArgument)
	}
	return dp.Shell(), nil
}

func flag01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
