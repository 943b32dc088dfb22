package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
)

// ErrNoSession is returned by Ping when the host answers but reports no
// session for this client.
var ErrNoSession = errors.New("the host reports no session for this client")

// Ping asks the host for this client's own session: one round trip that
// needs a valid session (a lapsed one is renewed first, as for any call).
func (c *Client) Ping(ctx context.Context) error {
	var sm mo.SessionManager
	vc := c.Vim()
	pc := property.DefaultCollector(vc)
	if err := pc.RetrieveOne(ctx, *vc.ServiceContent.SessionManager, []string{"currentSession"}, &sm); err != nil {
		return fmt.Errorf("asking %s for the session: %w", c.cfg.Host, Classify(err))
	}
	if sm.CurrentSession == nil {
		return fmt.Errorf("%s: %w", c.cfg.Host, ErrNoSession)
	}
	return nil
}
