package sshhost

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrAPIOnly: the licence refuses writes over the API and the transport
	// is "api", so nothing falls back to SSH.
	ErrAPIOnly = errkind.New(errkind.Refused, "the host's licence refuses this write over the API and esxi.transport is api: "+
		"set esxi.transport to auto (or ssh) and enable SSH on the host (host client: Host > Actions > Services > Enable Secure Shell)")
	// ErrSSHUnreachable: the host's SSH service does not answer.
	ErrSSHUnreachable = errkind.New(errkind.Connection, "the host's SSH service cannot be reached: enable SSH on the host "+
		"(host client: Host > Actions > Services > Enable Secure Shell, or vim-cmd hostsvc/enable_ssh at the console) and check ssh.port")
	// ErrSSHLogin: the host refused the SSH login or no credential is set.
	ErrSSHLogin = errkind.New(errkind.Auth, "the host refused the SSH login: check ssh.user and ssh.key_file (its public key must be in "+
		"/etc/ssh/keys-root/authorized_keys on the host) or the SSH password (ssh.password_file, ssh.password_command)")
	// ErrHostKey: the host's SSH key is unknown, changed or revoked. The
	// wrapped error shows the fingerprint and what to do.
	ErrHostKey = errkind.New(errkind.Connection, "the host's SSH key is not trusted")
	// ErrUnexpectedOutput: a command printed something that does not say
	// whether it worked.
	ErrUnexpectedOutput = errkind.New(errkind.Unknown, "the host printed something unexpected")
)
