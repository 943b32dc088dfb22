// Package ssh is ceso's fallback transport to a standalone ESXi host: it runs
// vim-cmd and vmkfstools over SSH when the vSphere API refuses a write (the
// free licence answers every API write with the fault RestrictedVersion).
//
// It owns four things:
//
//   - the SSH client (Dial, Client.Run): password, keyboard-interactive or
//     public-key authentication, and a host key that is always verified
//     against a known_hosts file. An unknown key is refused with
//     ErrUnknownHostKey unless the caller explicitly asks to record it
//     (Config.AcceptNewHostKey); a changed key is refused with
//     ErrHostKeyMismatch and never overwritten;
//   - the command builders (PowerOn, RegisterVM, CloneDisk, Mkdir …), which
//     validate vmids and datastore paths and quote every argument for the
//     host's POSIX shell (BusyBox ash). Command.String is the exact line sent
//     to the host and is what --dry-run shows;
//   - the conversion between datastore paths ("[datastore1] dir/vm.vmx") and
//     shell paths ("/vmfs/volumes/datastore1/dir/vm.vmx");
//   - the parsers of what vim-cmd and vmkfstools print (getallvms tables,
//     power states, fault blocks, vmkfstools errors), which turn text into
//     values and sentinel errors (errors.go) that callers test with errors.Is.
//
// It must not import govmomi or know anything of the vSphere API: it speaks
// only the host's shell. It never ignores or silently replaces a host key,
// never puts a password or key material into an error or a log line, and
// never builds a shell line by concatenating unquoted input. Deciding when to
// fall back to SSH belongs to the caller (pkg/esxi/vm and pkg/ops).
//
// The sshtest subpackage runs an in-process SSH server for tests.
package ssh
