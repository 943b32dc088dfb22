package sshhost

import (
	"errors"
	"fmt"
	"net"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
)

// sentinels maps what the host printed (pkg/esxi/ssh's sentinels) to the
// errors the API path returns for the same fault, so that callers test one
// set of errors whatever the transport.
var sentinels = []struct{ ssh, client error }{
	{ssh.ErrNotFound, client.ErrNotFound},
	{ssh.ErrAlreadyExists, client.ErrAlreadyExists},
	{ssh.ErrInvalidPowerState, client.ErrInvalidPowerState},
	{ssh.ErrNoSpace, client.ErrNoDiskSpace},
	{ssh.ErrToolsUnavailable, client.ErrToolsUnavailable},
	{ssh.ErrBusy, client.ErrTaskInProgress},
	{ssh.ErrLocked, client.ErrInvalidState},
	{ssh.ErrRestrictedVersion, client.ErrRestrictedVersion},
}

// classify wraps err, an error of a command run over SSH, with the error
// the API path uses for the same cause. Connection errors become
// errkind.Connection, so that a rollback knows the outcome is unknown.
func classify(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range sentinels {
		if errors.Is(err, s.ssh) {
			return fmt.Errorf("%w: %w", s.client, err)
		}
	}
	if errors.Is(err, ssh.ErrClosed) {
		return errkind.Wrap(errkind.Connection, err)
	}
	return err
}

// classifyDial adds what to do to an error of connecting over SSH.
func classifyDial(err error) error {
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, ssh.ErrUnknownHostKey), errors.Is(err, ssh.ErrHostKeyMismatch), errors.Is(err, ssh.ErrHostKeyRevoked):
		return fmt.Errorf("%w: %w", ErrHostKey, err)
	case errors.Is(err, ssh.ErrAuthFailed), errors.Is(err, ssh.ErrInvalidConfig):
		return fmt.Errorf("%w: %w", ErrSSHLogin, err)
	case errors.As(err, &opErr) && opErr.Op == "dial", errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%w: %w", ErrSSHUnreachable, err)
	}
	return err
}
