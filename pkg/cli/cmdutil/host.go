package cmdutil

import (
	"context"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// VMHost returns the vm.Host that makes changes for the configured
// transport: nil (the API of c) for "api".
func (f *Factory) VMHost(ctx context.Context, c *client.Client) (vm.Host, error) {
	if _, err := f.Config(); err != nil {
		return nil, err
	}
	return nil, nil
}
