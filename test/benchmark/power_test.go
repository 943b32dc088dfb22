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

// TestParallelPowerOnSpeedup times one power-on of the fleet one at a time
// and 8 at once, and expects at least 4 times the speed.
func TestParallelPowerOnSpeedup(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	pool, names := startFleet(t)
	timeIt := func(parallel int) time.Duration {
		start := time.Now()
		powerAll(t, pool, names, vm.PowerOn, parallel)
		d := time.Since(start)
		powerAll(t, pool, names, vm.PowerOff, 8)
		return d
	}
	timeIt(8) // open the pool's sessions first
	serial, parallel := timeIt(1), timeIt(8)
	ratio := float64(serial) / float64(parallel)
	t.Logf("power-on of %d VMs with %s per call: parallel 1: %s, parallel 8: %s, speed-up %.1fx",
		fleet, latency, serial.Round(time.Millisecond), parallel.Round(time.Millisecond), ratio)
	if ratio < 4 {
		t.Fatalf("speed-up %.1fx, want at least 4x", ratio)
	}
}
