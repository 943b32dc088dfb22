package esxisim

import (
	"context"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// SetVersion makes the host report another ESXi version and build, as
// after an upgrade: ServiceContent.About (which a client reads when it
// logs in) and the host's config.product and summary.config.product.
// version is "8.0.3", build "24022510". Sessions stay open, as they would
// not on a real upgrade (the host reboots): a client sees the new version
// at its next login.
func (s *Simulator) SetVersion(version, build string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if version == "" || build == "" || strings.ContainsAny(version+build, " \t\n") {
		return fmt.Errorf("%w: version %q build %q", ErrInvalidOptions, version, build)
	}
	about := esx.HostConfigInfo.Product
	about.Version, about.Build = version, build
	about.FullName = fmt.Sprintf("VMware ESXi %s build-%s", version, build)
	about.LicenseProductVersion = version
	ctx := s.internalContext(context.Background())
	if si, ok := ctx.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance); ok {
		ctx.WithLock(si, func() { si.Content.About = about })
	}
	if host, ok := ctx.Map.Get(esx.HostSystem.Self).(*simulator.HostSystem); ok {
		ctx.WithLock(host, func() {
			ctx.Update(host, []types.PropertyChange{
				{Name: "config.product", Val: about},
				{Name: "summary.config.product", Val: &about},
			})
		})
	}
	return nil
}
