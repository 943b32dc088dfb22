// Package sshhost makes the VM lifecycle's changes over SSH, with the
// host's own tools, for hosts whose licence refuses API writes (the free
// vSphere Hypervisor answers every write with RestrictedVersion).
//
// It owns three vm.Host implementations, one per esxi.transport:
//
//   - Host ("ssh"): every change over SSH. MakeDir is mkdir (never -p: a
//     folder that exists already is refused, so a rollback never removes
//     someone else's folder); DeleteDir is rm -rf on a VM folder directly
//     under a datastore's root; CopyDisk is vmkfstools -i SRC -d thin DST;
//     CopyFile (the NVRAM) is cp SRC DST; DeleteDisk is vmkfstools -U;
//     GrowDisk is vmkfstools -X then vim-cmd vmsvc/reload; CreateVM writes
//     the .vmx (see VMX) with sh -c ScriptWrite, its content on the
//     session's stdin and never spliced into the script, refusing to
//     overwrite a file (set -C), then runs vim-cmd solo/registervm; Power,
//     Destroy and snapshots are vim-cmd vmsvc/…
//     commands. Host.DryRun records the exact command lines
//     (ssh.Command.String) with Via "ssh".
//   - FallbackHost ("auto"): each change over the API first and, when it is
//     refused with RestrictedVersion, over SSH, noted with ops.Note ("…
//     over SSH: the host's licence refuses API writes"). Its dry run reads
//     the licence once (FreeLicence, LicenseManager.licenses) and shows the
//     SSH commands on the free licence, the API calls otherwise.
//   - APIOnly ("api"): the API only; a refused write says how to enable the
//     fallback (ErrAPIOnly).
//
// Errors of the SSH path carry the same sentinels as the API path
// (client.ErrNotFound, client.ErrAlreadyExists, client.ErrNoDiskSpace,
// client.ErrInvalidPowerState, client.ErrToolsUnavailable …), so callers
// and rollbacks handle both alike; connection failures are
// errkind.Connection, and dial failures say what to check (ErrHostKey,
// ErrSSHLogin, ErrSSHUnreachable).
//
// VM references: on a standalone host the API's reference of a VM is its
// vim-cmd vmid. A Host uses a numeric VMRef.ID as the vmid and looks any
// other reference up by name in vim-cmd vmsvc/getallvms. With an Inventory
// (APIInventory), CreateVM returns the new VM by its API reference, so the
// caller can read it back over the API.
//
// The SSH connection is made by the Runner; Lazy dials when a step first
// needs it. Host key checking and authentication belong to pkg/esxi/ssh.
// This package decides nothing about what to create: that is pkg/esxi/vm.
// The vmx subpackage reads and writes .vmx files.
package sshhost
