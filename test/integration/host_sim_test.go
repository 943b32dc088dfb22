//go:build !integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// startHost starts the ESXi simulator with its template.
func startHost(t *testing.T) *host {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := esxisim.Start(ctx, esxisim.Options{TemplateDiskSize: 8 << 20, AutoGuest: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	c, err := client.Connect(ctx, client.Config{Host: sim.Host(), User: sim.User(), Password: sim.Password(), Thumbprint: sim.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return &host{c: c, template: esxisim.TemplateName, datastore: sim.Datastore(), network: "VM Network", sim: sim}
}
