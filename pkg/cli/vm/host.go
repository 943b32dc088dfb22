package vm

import (
	"context"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// hostClient is a session and the Host that makes changes through it (nil:
// the API).
type hostClient struct {
	*client.Client
	host vm.Host
}

// withHost runs fn with a session from the pool and the Host the configured
// transport asks for.
func withHost[T any](ctx context.Context, f *cmdutil.Factory, fn func(hostClient) (T, error)) (T, error) {
	var zero T
	c, release, err := f.Client(ctx)
	if err != nil {
		return zero, err
	}
	defer release()
	h, err := f.VMHost(ctx, c)
	if err != nil {
		return zero, err
	}
	return fn(hostClient{Client: c, host: h})
}
