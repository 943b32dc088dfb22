package vm

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/ceso/ceso/pkg/esxi/client"
)

// PowerMany runs the power operation op on every VM of names, at most
// parallel at once (1 when below 1), each with a session of pool, and
// returns one result per name in the order given. It never stops early: a
// failure is recorded in that VM's result. A name given twice is handled
// once, and its result repeated. BatchError turns the results into the
// error to return.
func PowerMany(ctx context.Context, pool *client.Pool, names []string, op PowerOp, opts PowerOptions, parallel int) []PowerResult {
	if parallel < 1 {
		parallel = 1
	}
	results := make([]PowerResult, len(names))
	first := map[string]int{}
	sem := make(chan struct{}, parallel)
	dups := map[int]int{} // index of a repeated name -> index of its first
	var wg sync.WaitGroup
	for i, name := range names {
		if j, seen := first[name]; seen {
			dups[i] = j
			continue
		}
		first[name] = i
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = failed(name, op, client.Classify(ctx.Err()))
				return
			}
			defer func() { <-sem }()
			results[i] = powerOne(ctx, pool, name, op, opts)
		}()
	}
	wg.Wait()
	for i, j := range dups {
		results[i] = results[j]
	}
	return results
}

func powerOne(ctx context.Context, pool *client.Pool, name string, op PowerOp, opts PowerOptions) PowerResult {
	var res *PowerResult
	err := pool.Do(ctx, func(c *client.Client) error {
		o := opts
		if opts.HostFor != nil {
			h, err := opts.HostFor(c)
			if err != nil {
				return err
			}
			o.Host = h
		}
		var err error
		res, err = Power(ctx, c, name, op, o)
		return err
	})
	if err != nil {
		r := failed(name, op, err)
		if res != nil {
			r.State = res.State
		}
		return r
	}
	return *res
}

func failed(name string, op PowerOp, err error) PowerResult {
	return PowerResult{Name: name, Op: op, Err: err, Error: err.Error()}
}

// BatchError returns nil when every result succeeded. When some failed it
// returns an error of kind errkind.Partial (wrapping ErrPartial) that lists
// each failure; the caller maps it to the partial-failure exit code. A
// batch of one VM returns that VM's error as it is.
func BatchError(results []PowerResult) error {
	var failures []string
	var only error
	for _, r := range results {
		if r.Err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", r.Name, r.Err))
			only = r.Err
		}
	}
	switch {
	case len(failures) == 0:
		return nil
	case len(results) == 1:
		return only
	}
	return fmt.Errorf("%w: %d of %d failed: %s", ErrPartial, len(failures), len(results), strings.Join(failures, "; "))
}
