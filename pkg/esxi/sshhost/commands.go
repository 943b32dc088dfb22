package sshhost

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/ssh"
)

// ScriptWrite writes the command's standard input to a new file, run as
// sh -c SCRIPT sh PATH. The path is a positional parameter ($1), never
// spliced into the script, so nothing in it is interpreted by the shell;
// the content goes on stdin, never on the command line, whose length
// limit on ESXi is undocumented (terraform-provider-esxi #62 hit it with
// large guestinfo). set -C (noclobber) refuses to overwrite a file.
const ScriptWrite = `set -C; cat > "$1"`

// mkdir makes one folder whose parent exists, failing if it exists
// already: a folder that someone else made between the check and the
// creation is then never taken over (and never removed by a rollback).
func mkdir(datastorePath string) (ssh.Command, error) {
	dp, err := ssh.ParseDatastorePath(datastorePath)
	if err != nil {
		return ssh.Command{}, err
	}
	if dp.Datastore == "" || dp.Path == "" {
		return ssh.Command{}, fmt.Errorf("mkdir %q: need a folder inside a named datastore: %w", datastorePath, ssh.ErrInvalidArgument)
	}
	return ssh.Command{Argv: []string{"mkdir", dp.Shell()}}, nil
}

// copyFile copies a datastore file that is not a disk (cp SRC DST).
func copyFile(src, dst string) (ssh.Command, error) {
	from, err := ssh.DatastorePathToShell(src)
	if err != nil {
		return ssh.Command{}, err
	}
	to, err := ssh.DatastorePathToShell(dst)
	if err != nil {
		return ssh.Command{}, err
	}
	if strings.HasSuffix(from, ".vmdk") || strings.HasSuffix(to, ".vmdk") {
		return ssh.Command{}, fmt.Errorf("cp %q: a disk is copied with vmkfstools -i: %w", src, ssh.ErrInvalidArgument)
	}
	return ssh.Command{Argv: []string{"cp", from, to}}, nil
}

// shellFile converts a datastore path naming a file with ext to its shell
// path.
func shellFile(datastorePath, ext string) (string, error) {
	p, err := ssh.DatastorePathToShell(datastorePath)
	if err != nil {
		return "", err
	}
	base := p[strings.LastIndexByte(p, '/')+1:]
	if !strings.HasSuffix(base, ext) || base == ext {
		return "", fmt.Errorf("%q does not name a %s file: %w", datastorePath, ext, ssh.ErrInvalidArgument)
	}
	return p, nil
}

// deleteDisk removes a virtual disk, descriptor and data: vmkfstools -U.
func deleteDisk(datastorePath string) (ssh.Command, error) {
	p, err := shellFile(datastorePath, ".vmdk")
	if err != nil {
		return ssh.Command{}, err
	}
	return ssh.Command{Argv: []string{"vmkfstools", "-U", p}}, nil
}

// growDisk extends a virtual disk to capacity bytes, rounded up to a whole
// KiB: vmkfstools -X NNNk.
func growDisk(datastorePath string, capacity int64) (ssh.Command, error) {
	p, err := shellFile(datastorePath, ".vmdk")
	if err != nil {
		return ssh.Command{}, err
	}
	if capacity <= 0 {
		return ssh.Command{}, fmt.Errorf("disk size %d: %w", capacity, ssh.ErrInvalidArgument)
	}
	kib := (capacity + 1023) / 1024
	return ssh.Command{Argv: []string{"vmkfstools", "-X", fmt.Sprintf("%dk", kib), p}}, nil
}

// snapshotGet lists a VM's snapshots: vim-cmd vmsvc/snapshot.get VMID.
func snapshotGet(vmid string) (ssh.Command, error) {
	if err := ssh.CheckVMID(vmid); err != nil {
		return ssh.Command{}, err
	}
	return ssh.Command{Argv: []string{"vim-cmd", "vmsvc/snapshot.get", vmid}}, nil
}

// writeFile returns the command that writes content to a new file at a
// datastore path, the content on its standard input.
func writeFile(datastorePath string, content []byte) (ssh.Command, error) {
	p, err := ssh.DatastorePathToShell(datastorePath)
	if err != nil {
		return ssh.Command{}, err
	}
	if strings.IndexByte(string(content), 0) >= 0 {
		return ssh.Command{}, fmt.Errorf("content for %s holds a NUL byte: %w", p, ssh.ErrInvalidArgument)
	}
	return ssh.Command{Argv: []string{"sh", "-c", ScriptWrite, "sh", p}, Stdin: append([]byte{}, content...)}, nil
}

// snapshotID turns a snapshot reference into the id vim-cmd takes: "5",
// the API's "12-snapshot-5" (a standalone host names snapshots after the
// vmid and the id) or "snapshot-5".
var snapshotRef = regexp.MustCompile(`^(?:[0-9]+-)?snapshot-([0-9]+)$`)

func snapshotID(ref string) (string, error) {
	if m := snapshotRef.FindStringSubmatch(ref); m != nil {
		return m[1], nil
	}
	if ssh.CheckVMID(ref) == nil {
		return ref, nil
	}
	return "", fmt.Errorf("snapshot %q is not a vim-cmd snapshot id: %w", ref, ssh.ErrInvalidArgument)
}
