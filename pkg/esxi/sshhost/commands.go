package sshhost

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/ssh"
)

// The shell scripts that write a file, run as sh -c SCRIPT sh CONTENT
// PATH. The content and the path are passed as positional parameters ($1,
// $2), never spliced into the script, so that nothing in them is ever
// interpreted by the shell. ScriptCreate, for the first chunk, refuses to
// overwrite an existing file (set -C, noclobber); ScriptAppend adds the
// following chunks.
const (
	ScriptCreate = `set -C; printf "%s" "$1" > "$2"`
	ScriptAppend = `printf "%s" "$1" >> "$2"`
)

// maxChunk bounds the quoted content of one write command, well below
// Linux's limit on one argument (128 KiB): sshd hands the whole command
// line to the shell as a single argument.
const maxChunk = 48 << 10

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

// writeFile returns the commands that write content to a new file at a
// datastore path, in chunks small enough for one command line each.
func writeFile(datastorePath string, content []byte) ([]ssh.Command, error) {
	p, err := ssh.DatastorePathToShell(datastorePath)
	if err != nil {
		return nil, err
	}
	if strings.IndexByte(string(content), 0) >= 0 {
		return nil, fmt.Errorf("content for %s holds a NUL byte: %w", p, ssh.ErrInvalidArgument)
	}
	var cmds []ssh.Command
	rest := string(content)
	for first := true; first || rest != ""; first = false {
		chunk := cut(rest)
		rest = rest[len(chunk):]
		script := ScriptAppend
		if first {
			script = ScriptCreate
		}
		cmds = append(cmds, ssh.Command{Argv: []string{"sh", "-c", script, "sh", chunk, p}})
	}
	return cmds, nil
}

// cut returns the longest prefix of s whose quoted form fits maxChunk.
func cut(s string) string {
	size := 2
	for i := 0; i < len(s); i++ {
		n := 1
		if s[i] == '\'' {
			n = 4
		}
		if size+n > maxChunk {
			return s[:i]
		}
		size += n
	}
	return s
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
