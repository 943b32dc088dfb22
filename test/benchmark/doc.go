// Package benchmark measures the VM lifecycle against the ESXi simulator
// with a latency injected on every API call, as over a WAN link to a host:
// create and clone time, API round trips per create, and parallel power-on
// through a session pool.
//
//	go test -run='^$' -bench=. -benchtime=5x ./test/benchmark/
//	go test -run=TestParallelPowerOnSpeedup -v ./test/benchmark/
//
// It holds tests only and must not be imported.
package benchmark
