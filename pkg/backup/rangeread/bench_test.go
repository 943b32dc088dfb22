package rangeread

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// benchLatency is the time the simulated host takes to answer each
// request, as a round trip to a remote ESXi plus its seek would.
const benchLatency = 5 * time.Millisecond

// readAll reads size bytes of the server with inflight requests at once.
func readAll(b *testing.B, url string, size int64, inflight int) {
	b.Helper()
	r := New(context.Background(), HTTP(httpClient(inflight), url), Options{Size: size, ChunkSize: 1 << 20, InFlight: inflight})
	defer r.Close()
	if n, err := io.Copy(io.Discard, r); err != nil || n != size {
		b.Fatalf("read %d of %d bytes: %v", n, size, err)
	}
}

// BenchmarkRangeRead reads a 32 MiB file in 1 MiB ranges from a local
// server that answers each request after benchLatency, with 1, 2, 4 and 8
// requests in flight:
//
//	go test -run '^$' -bench RangeRead -benchtime 5x ./pkg/backup/rangeread
func BenchmarkRangeRead(b *testing.B) {
	const size = 32 << 20
	srv, _ := server(b, randomBytes(size), benchLatency, nil)
	for _, inflight := range []int{1, 2, 4, 8} {
		b.Run("inflight="+strconv.Itoa(inflight), func(b *testing.B) {
			b.SetBytes(size)
			for range b.N {
				readAll(b, srv.URL, size, inflight)
			}
		})
	}
}

// BenchmarkRangeReadSpeedup reads the same file once with one request at a
// time and once with DefaultInFlight in each iteration, and reports how
// many times faster the second was ("speedup").
func BenchmarkRangeReadSpeedup(b *testing.B) {
	const size = 32 << 20
	srv, _ := server(b, randomBytes(size), benchLatency, nil)
	var one, many time.Duration
	for range b.N {
		start := time.Now()
		readAll(b, srv.URL, size, 1)
		one += time.Since(start)
		start = time.Now()
		readAll(b, srv.URL, size, DefaultInFlight)
		many += time.Since(start)
	}
	b.ReportMetric(float64(one)/float64(many), "speedup")
	b.ReportMetric(float64(size)*float64(b.N)/one.Seconds()/1e6, "MB/s-1")
	b.ReportMetric(float64(size)*float64(b.N)/many.Seconds()/1e6, "MB/s-"+strconv.Itoa(DefaultInFlight))
}

// httpClient is a client that keeps as many idle connections as requests
// run at once, as the host's reader does.
func httpClient(inflight int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: inflight}}
}
