package benchmark

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

const fleet = 20

// startFleet makes fleet powered-off VMs and a session pool of 8.
func startFleet(tb testing.TB) (*client.Pool, []string) {
	tb.Helper()
	sim, c := startHost(tb)
	sim.SetMethodDelay("*", 0) // build the fleet fast
	ctx := context.Background()
	names, err := sim.SeedVMs(ctx, fleet, 8)
	if err != nil {
		tb.Fatal(err)
	}
	pool := client.NewPool(c.Config(), 8, c)
	tb.Cleanup(func() { _ = pool.Close(context.Background()) })
	powerAll(tb, pool, names, vm.PowerOff, 8)
	sim.SetMethodDelay("*", latency)
	return pool, names
}

func powerAll(tb testing.TB, pool *client.Pool, names []string, op vm.PowerOp, parallel int) {
	tb.Helper()
	results := vm.PowerMany(context.Background(), pool, names, op, vm.PowerOptions{Force: true}, parallel)
	if err := vm.BatchError(results); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkPowerOnFleet powers 20 VMs on (and off again, untimed) per
// iteration, one at a time and 8 at once.
func BenchmarkPowerOnFleet(b *testing.B) {
	pool, names := startFleet(b)
	for _, parallel := range []int{1, 8} {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			for b.Loop() {
				powerAll(b, pool, names, vm.PowerOn, parallel)
				b.StopTimer()
				powerAll(b, pool, names, vm.PowerOff, 8)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkPowerOnSpeedup powers the fleet on one at a time and 8 at once
// in each iteration and reports the ratio of the two times ("speedup"),
// measured in the same run. It is a benchmark, not a test: the figure is
// for reading (the target is 4x or more), not for failing a build on a
// shared machine.
func BenchmarkPowerOnSpeedup(b *testing.B) {
	pool, names := startFleet(b)
	timeIt := func(parallel int) time.Duration {
		start := time.Now()
		powerAll(b, pool, names, vm.PowerOn, parallel)
		d := time.Since(start)
		powerAll(b, pool, names, vm.PowerOff, 8)
		return d
	}
	timeIt(8) // open the pool's sessions first
	var serial, parallel time.Duration
	for b.Loop() {
		serial += timeIt(1)
		parallel += timeIt(8)
	}
	b.ReportMetric(serial.Seconds()/float64(b.N), "s-parallel1/op")
	b.ReportMetric(parallel.Seconds()/float64(b.N), "s-parallel8/op")
	b.ReportMetric(float64(serial)/float64(parallel), "speedup")
}
