package benchmark

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// latency is added to every API call, about a round trip to a host over a
// WAN or a VPN.
const latency = 50 * time.Millisecond

// startHost starts the simulator with latency on every call and connects.
func startHost(tb testing.TB) (*esxisim.Simulator, *client.Client) {
	tb.Helper()
	sim := simtest.Start(tb, esxisim.Options{TemplateDiskSize: 16 << 20})
	c := simtest.Connect(tb, sim, "")
	sim.SetMethodDelay("*", latency)
	return sim, c
}

// BenchmarkCreate creates a VM from the template per iteration and reports
// the API round trips each create costs.
func BenchmarkCreate(b *testing.B) {
	sim, c := startHost(b)
	ctx := context.Background()
	before, served := c.Stats().RoundTrips, sim.Requests()
	n := 0
	for b.Loop() {
		n++
		if _, err := vm.Create(ctx, c, vm.CreateSpec{Name: fmt.Sprintf("bench%03d", n), Template: esxisim.TemplateName}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Stats().RoundTrips-before)/float64(n), "roundtrips/op")
	b.ReportMetric(float64(sim.Requests()-served)/float64(n), "requests/op")
}

// BenchmarkClone clones a powered-off VM per iteration.
func BenchmarkClone(b *testing.B) {
	sim, c := startHost(b)
	ctx := context.Background()
	if _, err := vm.Create(ctx, c, vm.CreateSpec{Name: "source", Template: esxisim.TemplateName}); err != nil {
		b.Fatal(err)
	}
	before, served := c.Stats().RoundTrips, sim.Requests()
	n := 0
	for b.Loop() {
		n++
		if _, err := vm.Clone(ctx, c, vm.CloneSpec{Name: fmt.Sprintf("clone%03d", n), Source: "source"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Stats().RoundTrips-before)/float64(n), "roundtrips/op")
	b.ReportMetric(float64(sim.Requests()-served)/float64(n), "requests/op")
}
