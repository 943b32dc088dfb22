package ssh

import "errors"

// Errors about the connection.
var (
	// ErrUnknownHostKey means the host presented a key that the known_hosts
	// file does not list for it. The error (a *HostKeyError) shows the key's
	// SHA256 fingerprint, to be compared with the host console before the
	// key is accepted with Config.AcceptNewHostKey.
	ErrUnknownHostKey = errors.New("unknown ssh host key")

	// ErrHostKeyMismatch means the known_hosts file lists other keys for the
	// host than the one it presented: the host was reinstalled or someone is
	// in the middle. It is always refused.
	ErrHostKeyMismatch = errors.New("ssh host key mismatch")

	// ErrHostKeyRevoked means the host presented a key marked @revoked in the
	// known_hosts file.
	ErrHostKeyRevoked = errors.New("ssh host key is revoked")

	// ErrAuthFailed means the host refused every authentication method tried
	// (wrong password, key not authorised, or no method in common).
	ErrAuthFailed = errors.New("ssh authentication failed")

	// ErrInvalidConfig means the Config cannot be used as given.
	ErrInvalidConfig = errors.New("invalid ssh configuration")

	// ErrClosed means the client was closed, by Close or after its
	// connection was lost.
	ErrClosed = errors.New("ssh client closed")
	// errBusy means the host refused to open a session on a live
	// connection (sshd's MaxSessions): the command waits and tries again.
	errBusy = errors.New("the host refused a new session: too many open")
)

// Errors about commands and their arguments.
var (
	// ErrInvalidArgument means a command builder refused an argument: a vmid
	// that is not all digits, a path that leaves the datastore, a NUL byte.
	ErrInvalidArgument = errors.New("invalid command argument")

	// ErrCommandFailed means a command exited with a non-zero status or
	// printed an error the parsers do not classify more precisely.
	ErrCommandFailed = errors.New("command failed")

	// ErrUnexpectedOutput means a command printed something its parser does
	// not recognise, so the outcome is unknown.
	ErrUnexpectedOutput = errors.New("unexpected command output")

	// ErrIncomplete means a disk copy ended without an error text and without
	// reaching 100%: the destination must be treated as incomplete.
	ErrIncomplete = errors.New("disk copy incomplete")
)

// Errors the host reported (from vim-cmd fault blocks or vmkfstools texts).
var (
	// ErrNotFound means the VM, file or object does not exist.
	ErrNotFound = errors.New("not found")

	// ErrAlreadyExists means the VM, file or identifier already exists.
	ErrAlreadyExists = errors.New("already exists")

	// ErrInvalidPowerState means the VM's power state does not allow the
	// operation (and is not already the requested state).
	ErrInvalidPowerState = errors.New("invalid power state")

	// ErrNoSpace means a datastore is full.
	ErrNoSpace = errors.New("no space left on datastore")

	// ErrLocked means a file is locked, usually by a running VM.
	ErrLocked = errors.New("file is locked")

	// ErrToolsUnavailable means a guest operation (shutdown, reboot) needs
	// VMware Tools running in the guest.
	ErrToolsUnavailable = errors.New("vmware tools not running")

	// ErrBusy means another task is running on the object.
	ErrBusy = errors.New("another task is in progress")

	// ErrRestrictedVersion means the licence forbids the operation.
	ErrRestrictedVersion = errors.New("operation restricted by the licence")
)
