package sshhost

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/license"
)

// FreeLicence reports whether the host runs on the free vSphere Hypervisor
// licence, which refuses API writes: one read of LicenseManager.licenses,
// whose edition key is esx.hypervisor.* on the free licence of ESXi 5 to 8
// (esx.hypervisor.cpuPackageCoreLimited on 7.0 and 8.0) and esxBasic on
// ESX(i) 4. An evaluation licence (esx.eval.*) allows writes.
func FreeLicence(ctx context.Context, c *client.Client) (bool, error) {
	infos, err := license.NewManager(c.Vim()).List(ctx)
	if err != nil {
		return false, fmt.Errorf("reading the host's licence: %w", client.Classify(err))
	}
	for _, l := range infos {
		if strings.HasPrefix(l.EditionKey, "esx.hypervisor") || l.EditionKey == "esxBasic" {
			return true, nil
		}
	}
	return false, nil
}
