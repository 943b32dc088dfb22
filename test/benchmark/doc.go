// Package benchmark measures ceso against the ESXi simulator, each figure
// next to the obvious alternative in the same run:
//
//   - the VM lifecycle with 50 ms injected on every API call, as over a WAN
//     link to a host: create and clone time and API round trips per create;
//     BenchmarkPowerOnSpeedup powers 20 VMs on one at a time and 8 at once
//     and reports the speed-up;
//
//   - backups: throughput and peak RSS of a streamed backup (export, SHA-256
//     and zstd overlapping) against the bare export download and against
//     exporting to a temporary file and compressing it afterwards, and
//     restore throughput, for disk sizes from CESO_BENCH_BACKUP_SIZES
//     (default 256M; 2G for the large case).
//
//   - the HTTP API of ceso serve (BenchmarkServerLoad): 50 clients listing
//     1,000 VMs and reading job states for 30s, with the daemon's inventory
//     cache and without it: requests per second, p50 and p99 latency, failed
//     requests, host calls per list, and the host's sessions under load and
//     after the daemon stopped (CESO_BENCH_SERVER_VMS, _CLIENTS, _DURATION
//     change the load);
//
//     go test -run='^$' -bench=. -benchtime=3x ./test/benchmark/
//     CESO_BENCH_BACKUP_SIZES=256M,2G go test -run='^$' -bench=Backup -benchtime=1x ./test/benchmark/
//
// It holds tests only and must not be imported.
package benchmark
