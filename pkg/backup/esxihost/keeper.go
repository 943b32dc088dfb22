package esxihost

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/nfc"
)

// Bounds of the interval at which a keeper reports lease progress.
const (
	minKeepInterval = 50 * time.Millisecond
	maxKeepInterval = 10 * time.Second
)

// keepInterval is a sixth of the lease timeout, within the bounds: a host
// that misses a few reports still sees one well before the lease expires.
func keepInterval(leaseTimeout time.Duration) time.Duration {
	if leaseTimeout <= 0 {
		return maxKeepInterval
	}
	return min(max(leaseTimeout/6, minKeepInterval), maxKeepInterval)
}

// keeper reports a lease's progress at a fixed interval, whether or not
// bytes flow, so that a slow target or a long compression never lets the
// host expire the lease.
type keeper struct {
	lease *nfc.Lease
	total int64
	done  atomic.Int64

	stop    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	reports atomic.Int64
	lastErr atomic.Value // error
}

func startKeeper(lease *nfc.Lease, total int64, interval time.Duration) *keeper {
	k := &keeper{lease: lease, total: total, stop: make(chan struct{})}
	k.wg.Add(1)
	go k.run(interval)
	return k
}

// add counts n more bytes transferred.
func (k *keeper) add(n int64) { k.done.Add(n) }

// percent is the progress to report, 0 to 99: 100 is for Complete.
func (k *keeper) percent() int32 {
	if k.total <= 0 {
		return 0
	}
	return int32(min(k.done.Load()*100/k.total, 99))
}

func (k *keeper) run(interval time.Duration) {
	defer k.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), max(interval, 5*time.Second))
			err := k.lease.Progress(ctx, k.percent())
			cancel()
			if err != nil {
				// The transfer itself fails once the lease is gone; keep
				// the cause for its error message and keep trying, in
				// case the failure was a passing network error.
				k.lastErr.Store(err)
				continue
			}
			k.reports.Add(1)
		}
	}
}

// halt stops the reports and waits for the last one to end.
func (k *keeper) halt() {
	k.once.Do(func() {
		close(k.stop)
		k.wg.Wait()
	})
}

// err is the last failed report's error, or nil.
func (k *keeper) err() error {
	if e, ok := k.lastErr.Load().(error); ok {
		return e
	}
	return nil
}
