//go:build !integration

package integration

import (
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
)

// startHost starts the ESXi simulator with its template.
func startHost(t *testing.T) *host {
	t.Helper()
	sim := simtest.Start(t, esxisim.Options{TemplateDiskSize: 8 << 20, AutoGuest: true})
	c := simtest.Connect(t, sim, "")
	return &host{c: c, template: esxisim.TemplateName, datastore: sim.Datastore(), network: "VM Network", sim: sim}
}
