package target

import (
	"context"
	"fmt"

	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/ops"
)

// Shell runs a command on the host's own shell (ESXi's BusyBox, over
// SSH). A datastore target uses it for folders, renames and removals when
// the host's licence refuses them over the API (the free licence): its
// data still moves over the host's HTTPS file access, which the free
// licence allows.
type Shell interface {
	Run(ctx context.Context, cmd ssh.Command) (ssh.Result, error)
}

// WithShell gives the set's datastore targets sh: after the API refuses a
// change with RestrictedVersion (or at once with first, for
// esxi.transport ssh) they make it over SSH. nil: the API only.
func (s *Set) WithShell(sh Shell, first bool) *Set {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shell, s.shellFirst = sh, first
	return s
}

// fileShell is a datastore target's way to the shell.
type fileShell struct {
	sh    Shell
	first bool
}

// change makes one change: over the API unless the transport sends it
// straight to the shell; a RestrictedVersion refusal sends it, and every
// later one, to the shell (noted once in the operation's output and audit
// record). Without a shell it is the API only.
func (d *Datastore) change(ctx context.Context, what string, api func() error, shell func() (ssh.Command, error)) error {
	if d.shell.sh == nil {
		return api()
	}
	if !d.shell.first {
		fallback, first, err := d.refusals.Try(api)
		if !fallback {
			return err
		}
		if first {
			ops.Note(ctx, "target %s: %s over SSH: the host's licence refuses datastore file changes over the API", d.name, what)
		}
	}
	cmd, err := shell()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	ops.UseTransport(ctx, config.TransportSSH)
	res, err := d.shell.sh.Run(ctx, cmd)
	if err == nil {
		err = res.Err()
	}
	if err != nil {
		return fmt.Errorf("%s over SSH (%s): %w", what, cmd.String(), err)
	}
	return nil
}

// MkdirCommand, MoveCommand and RemoveCommand are the shell lines the
// target runs for its changes when they go over SSH: what a dry run shows.
func (d *Datastore) MkdirCommand(dir string) (ssh.Command, error) { return ssh.Mkdir(d.dsPath(dir)) }

// MoveCommand: see MkdirCommand.
func (d *Datastore) MoveCommand(from, to string) (ssh.Command, error) {
	return ssh.Move(d.dsPath(from), d.dsPath(to))
}

// RemoveCommand: see MkdirCommand.
func (d *Datastore) RemoveCommand(p string) (ssh.Command, error) { return ssh.RemoveTree(d.dsPath(p)) }
