package vm

import (
	"fmt"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
)

// BenchmarkVMList lists 10, 100 and 1000 VMs and reports the API round trips
// per list, which must not grow with the number of VMs. The "per-vm"
// variant is the obvious alternative, measured in the same run: find the
// VMs, then read each one's properties with its own call.
func BenchmarkVMList(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		sim, c := startSim(b, esxisim.Options{})
		if _, err := sim.SeedVMs(testCtx(b), n-1, 8); err != nil {
			b.Fatal(err)
		}
		ctx := testCtx(b)
		b.Run(fmt.Sprintf("vms=%d/one-retrieval", n), func(b *testing.B) {
			before := c.Stats().RoundTrips
			for b.Loop() {
				vms, err := List(ctx, c, Filter{})
				if err != nil || len(vms) != n {
					b.Fatalf("%d VMs, %v", len(vms), err)
				}
			}
			b.ReportMetric(float64(c.Stats().RoundTrips-before)/float64(b.N), "roundtrips/op")
		})
		b.Run(fmt.Sprintf("vms=%d/per-vm", n), func(b *testing.B) {
			before := c.Stats().RoundTrips
			pc := property.DefaultCollector(c.Vim())
			for b.Loop() {
				refs, err := retrieveAll(ctx, c.Vim(), []string{"name"})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range refs {
					var vm mo.VirtualMachine
					if err := pc.RetrieveOne(ctx, r.Self, summaryProps, &vm); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(c.Stats().RoundTrips-before)/float64(b.N), "roundtrips/op")
		})
	}
}
