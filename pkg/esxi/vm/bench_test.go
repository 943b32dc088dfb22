package vm

import (
	"fmt"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

// BenchmarkVMList lists 10, 100 and 1000 VMs and reports the API round trips
// per list, which must not grow with the number of VMs.
func BenchmarkVMList(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("vms=%d", n), func(b *testing.B) {
			sim, c := startSim(b, esxisim.Options{})
			if _, err := sim.SeedVMs(testCtx(b), n-1, 8); err != nil {
				b.Fatal(err)
			}
			ctx := testCtx(b)
			before := c.Stats().RoundTrips
			b.ResetTimer()
			for b.Loop() {
				vms, err := List(ctx, c, Filter{})
				if err != nil {
					b.Fatal(err)
				}
				if len(vms) != n {
					b.Fatalf("%d VMs, want %d", len(vms), n)
				}
			}
			b.ReportMetric(float64(c.Stats().RoundTrips-before)/float64(b.N), "roundtrips/op")
		})
	}
}
