package esxisim

import (
	"context"
	"fmt"
	"net/url"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// LocalClient logs in to the simulator the way the host's own shell tools
// reach hostd, and returns that client. On a real ESXi host the free
// licence refuses API writes from remote clients, but vim-cmd and
// vmkfstools run in the host's shell still register VMs, power them and
// copy disks; a fake ESXi shell makes its changes through this client so
// that it can do the same. Only the free-licence switch is lifted for its
// session: the corrections, AddFault, FailTask and SetMethodDelay apply to
// it as to any client. Log it out when done (Close also ends it).
func (s *Simulator) LocalClient(ctx context.Context) (*govmomi.Client, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	sc := soap.NewClient(s.URL(), false)
	sc.SetThumbprint(s.Host(), s.Thumbprint())
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("local client: %w", err)
	}
	c := &govmomi.Client{Client: vc, SessionManager: session.NewManager(vc)}
	if err := c.Login(ctx, url.UserPassword(s.opts.User, s.opts.Password)); err != nil {
		return nil, fmt.Errorf("local client login: %w", err)
	}
	us, err := c.SessionManager.UserSession(ctx)
	if err != nil || us == nil {
		_ = c.Logout(ctx)
		return nil, fmt.Errorf("local client session: %w", err)
	}
	s.local.Store(us.Key, true)
	return c, nil
}

// isLocal reports whether the call comes from a LocalClient session.
func (s *Simulator) isLocal(ctx *simulator.Context) bool {
	if ctx.Session == nil {
		return false
	}
	_, ok := s.local.Load(ctx.Session.Key)
	return ok
}
