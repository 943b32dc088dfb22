package benchmark

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	"github.com/ceso/ceso/pkg/server"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/ceso/ceso/pkg/server/apiclient"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
)

// Load of the API: CESO_BENCH_SERVER_VMS VMs (1000), CESO_BENCH_SERVER_CLIENTS
// clients (50), for CESO_BENCH_SERVER_DURATION (30s).
func serverLoad(tb testing.TB) (vms, clients int, d time.Duration) {
	vms, clients, d = 1000, 50, 30*time.Second
	if v, err := strconv.Atoi(os.Getenv("CESO_BENCH_SERVER_VMS")); err == nil && v > 0 {
		vms = v
	}
	if v, err := strconv.Atoi(os.Getenv("CESO_BENCH_SERVER_CLIENTS")); err == nil && v > 0 {
		clients = v
	}
	if v, err := time.ParseDuration(os.Getenv("CESO_BENCH_SERVER_DURATION")); err == nil && v > 0 {
		d = v
	}
	return vms, clients, d
}

// hostSessions counts the sessions the host holds, this counter's own
// excepted.
func hostSessions(tb testing.TB, sim *esxisim.Simulator) int {
	tb.Helper()
	c := simtest.Connect(tb, sim, "")
	defer func() { _ = c.Logout(context.Background()) }()
	var sm mo.SessionManager
	if err := property.DefaultCollector(c.Vim()).RetrieveOne(context.Background(), *c.Vim().ServiceContent.SessionManager, []string{"sessionList"}, &sm); err != nil {
		tb.Fatal(err)
	}
	return len(sm.SessionList) - 1
}

// BenchmarkServerLoad: clients list the VMs and read job states through
// the API for a while, with the daemon's inventory cache and without it.
// It reports the requests per second, p50 and p99 latency of each kind,
// the failed requests (there must be none), the host API calls per list,
// and the sessions the host holds at the end of the load (the pool's, and
// the cache's own) and after the daemon stopped. Run it alone:
//
//	go test -run='^$' -bench=ServerLoad -benchtime=1x -timeout=30m ./test/benchmark/
func BenchmarkServerLoad(b *testing.B) {
	nVMs, nClients, d := serverLoad(b)
	sim := simtest.Start(b, esxisim.Options{TemplateDiskSize: 1 << 20})
	names, err := sim.SeedVMs(context.Background(), nVMs-1, 8)
	if err != nil {
		b.Fatal(err)
	}
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cache=%v", cached), func(b *testing.B) {
			serverLoadRun(b, sim, names, cached, nClients, d, hostSessions(b, sim))
		})
	}
}

func serverLoadRun(b *testing.B, sim *esxisim.Simulator, names []string, cached bool, nClients int, d time.Duration, base int) {
	home := b.TempDir()
	env := config.MapEnv(simtest.Env(sim, home))
	cfg, err := config.Load("", env)
	if err != nil {
		b.Fatal(err)
	}
	token, sum, _ := server.NewToken(rand.Reader)
	cfg.Server.Listen, cfg.Server.InventoryCache = "127.0.0.1:0", &cached
	cfg.Server.RateLimit, cfg.Server.RateBurst = 100000, 100000 // one token for every client
	cfg.Server.Tokens = []config.ServerToken{{Name: "bench", SHA256: sum, Mode: "unrestricted"}}
	if err := cfg.Validate(true); err != nil {
		b.Fatal(err)
	}
	a, err := app.New(app.Options{Config: cfg, Env: env})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(server.Options{App: a})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := srv.Listen(ctx); err != nil {
		b.Fatal(err)
	}
	if cached {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		err := a.Inventory().WaitCurrent(wctx)
		cancel()
		if err != nil {
			b.Fatalf("the inventory cache did not sync: %v", err)
		}
	}
	c, err := apiclient.New(apiclient.Config{URL: srv.URL(), Token: token})
	if err != nil {
		b.Fatal(err)
	}
	jobs := benchJobs(b, c, names)
	if cached { // the writes made the cache catch up: start from a current cache
		if err := a.Inventory().WaitCurrent(ctx); err != nil {
			b.Fatal(err)
		}
	}
	calls := sim.Requests()
	lists, reads, failures := runClients(c, jobs, nClients, d)
	calls = sim.Requests() - calls
	during := hostSessions(b, sim)
	if err := srv.Shutdown(ctx); err != nil {
		b.Error(err)
	}
	if err := a.Close(ctx); err != nil {
		b.Error(err)
	}
	after := hostSessions(b, sim)
	total := len(lists) + len(reads)
	b.ReportMetric(float64(total)/d.Seconds(), "req/s")
	b.ReportMetric(float64(len(lists))/d.Seconds(), "lists/s")
	b.ReportMetric(pct(lists, 50), "list-p50-ms")
	b.ReportMetric(pct(lists, 99), "list-p99-ms")
	b.ReportMetric(pct(reads, 50), "job-p50-ms")
	b.ReportMetric(pct(reads, 99), "job-p99-ms")
	b.ReportMetric(float64(failures), "failed")
	b.ReportMetric(float64(calls)/float64(max(len(lists), 1)), "host-calls/list")
	b.ReportMetric(float64(during-base), "sessions-under-load")
	b.ReportMetric(float64(after-base), "sessions-after")
	b.Logf("cache=%v: %d lists, %d job reads in %s with %d clients; %d failed; pool size %d; host sessions beyond the start: %d under load, %d after the daemon stopped",
		cached, len(lists), len(reads), d, nClients, failures, cfg.ESXi.PoolSize, during-base, after-base)
	if failures > 0 {
		b.Errorf("%d requests failed", failures)
	}
}

// benchJobs makes a few jobs for the clients to read: power-ons of VMs.
func benchJobs(b *testing.B, c *apiclient.Client, names []string) []string {
	b.Helper()
	var ids []string
	for _, name := range names[:min(5, len(names))] {
		out, err := c.Invoke(context.Background(), "vm.power", api.Call{}, json.RawMessage(`{"action":"on","names":["`+name+`"]}`))
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, out.CorrelationID)
	}
	return ids
}

// runClients runs n clients for d: each lists the VMs, then reads a job,
// in turn. It returns the latencies (ms) of lists and job reads and the
// number of failed requests.
func runClients(c *apiclient.Client, jobs []string, n int, d time.Duration) (lists, reads []float64, failures int) {
	var (
		mu     sync.Mutex
		failed atomic.Int64
		wg     sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for i := range n {
		wg.Go(func() {
			var l, r []float64
			for k := 0; ctx.Err() == nil; k++ {
				start := time.Now()
				var err error
				if k%2 == 0 {
					_, err = c.Invoke(ctx, "vm.list", api.Call{}, nil)
				} else {
					_, err = c.Job(ctx, jobs[(i+k)%len(jobs)])
				}
				if ctx.Err() != nil {
					break // cut by the end of the run, not failed
				}
				ms := float64(time.Since(start).Microseconds()) / 1000
				switch {
				case err != nil:
					failed.Add(1)
				case k%2 == 0:
					l = append(l, ms)
				default:
					r = append(r, ms)
				}
			}
			mu.Lock()
			lists, reads = append(lists, l...), append(reads, r...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return lists, reads, int(failed.Load())
}

func pct(v []float64, p int) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(len(s)-1, len(s)*p/100)]
}
