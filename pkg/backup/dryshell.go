package backup

import (
	"context"
	"sync"

	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/ops"
)

// licenceOnce reads, once per dry run, whether the host runs on the free
// licence: a run finds out by the host's refusal, but a dry run may not try
// a change, so it reads the licence. The engine's writes and the datastore
// targets ask the same answer.
func licenceOnce(c *client.Client) func(context.Context) (bool, error) {
	var (
		once sync.Once
		free bool
		err  error
	)
	return func(ctx context.Context) (bool, error) {
		once.Do(func() {
			if c != nil {
				free, err = sshhost.FreeLicence(ctx, c)
			}
		})
		return free, err
	}
}

// freeLicence is the dry run's answer of licenceOnce (read now when d is
// not a planning one).
func (d Deps) freeLicence(ctx context.Context) (bool, error) {
	if d.licence == nil {
		return licenceOnce(d.Client)(ctx)
	}
	return d.licence(ctx)
}

// shellPlanned returns how a dry run decides whether a datastore target's
// changes would go over SSH: with a shell, when the transport says so or
// the host's licence is the free one.
func (d Deps) shellPlanned() func(context.Context) bool {
	return func(ctx context.Context) bool {
		if d.Shell == nil {
			return false
		}
		if d.ShellFirst {
			return true
		}
		free, err := d.freeLicence(ctx)
		return err == nil && free
	}
}

// shellStep records the shell line a datastore target would run for a
// change, when its changes go over SSH, and reports whether it did.
func (t *dryTarget) shellStep(ctx context.Context, what string, cmd func(*target.Datastore) (ssh.Command, error)) bool {
	ds, ok := t.Target.(*target.Datastore)
	if !ok || t.shell == nil || !t.shell(ctx) {
		return false
	}
	c, err := cmd(ds)
	if err != nil {
		t.step(what, "its shell line cannot be made: "+err.Error())
		return true
	}
	t.record(ops.Step{Via: "ssh", Action: c.String(), Detail: what})
	return true
}

// shellMkdir records, once per folder, the mkdir -p a change over SSH
// needs first.
func (t *dryTarget) shellMkdir(ctx context.Context, dir string) {
	t.mu.Lock()
	seen := t.dirs[dir]
	t.dirs[dir] = true
	t.mu.Unlock()
	if !seen {
		t.shellStep(ctx, "make the folder "+t.Location(dir), func(ds *target.Datastore) (ssh.Command, error) { return ds.MkdirCommand(dir) })
	}
}
