package server

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/backup/progress"
	"github.com/ceso/ceso/pkg/metrics"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/rs/zerolog"
)

// work is what a job runs: the operation, told when the runner starts it.
type work func(ctx context.Context, started func()) (*api.Outcome, error)

// jobStore runs jobs, at most max at once, and keeps them until
// retention after they end. Jobs run on the store's own context, not a
// request's: they outlive the request that made them.
type jobStore struct {
	now       func() time.Time
	retention time.Duration
	slots     chan struct{}
	metrics   *metrics.Metrics
	log       zerolog.Logger

	base context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu              sync.Mutex
	jobs            map[string]*job
	closed          bool
	queued, running int
}

func newJobStore(now func() time.Time, retention time.Duration, max int, m *metrics.Metrics, log zerolog.Logger) *jobStore {
	base, stop := context.WithCancel(context.Background())
	return &jobStore{now: now, retention: retention, slots: make(chan struct{}, max), metrics: m, log: log,
		base: base, stop: stop, jobs: map[string]*job{}}
}

// start runs w as j, bounded by timeout (none when 0).
func (s *jobStore) start(j *job, timeout time.Duration, w work) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrShuttingDown
	}
	s.sweepLocked()
	s.jobs[j.id] = j
	s.wg.Add(1)
	s.queued++
	s.observeLocked()
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(s.base)
	j.cancel = cancel
	go s.run(ctx, j, timeout, w)
	return nil
}

func (s *jobStore) run(ctx context.Context, j *job, timeout time.Duration, w work) {
	defer s.wg.Done()
	defer j.cancel()
	select {
	case s.slots <- struct{}{}:
	default:
		j.accept() // queued: answered 202 at once
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			s.transition(-1, 0)
			j.end(s.now(), nil, fmt.Errorf("%w: cancelled while queued: %w", ErrShuttingDown, ctx.Err()))
			return
		}
	}
	defer func() { <-s.slots }()
	s.transition(-1, +1)
	j.mu.Lock()
	j.state = api.StateRunning
	j.mu.Unlock()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	out, err := w(progress.WithReporter(ctx, j), func() { j.markStarted(s.now()) })
	s.transition(0, -1)
	j.end(s.now(), out, err)
	ev := s.log.Info()
	if err != nil {
		ev = s.log.Warn().Err(err)
	}
	ev.Str("job", j.id).Str("op", j.op).Str("actor", j.owner).Str("state", j.view().State).Msg("job ended")
}

func (s *jobStore) transition(dq, dr int) {
	s.mu.Lock()
	s.queued += dq
	s.running += dr
	s.observeLocked()
	s.mu.Unlock()
}

func (s *jobStore) observeLocked() {
	if s.metrics != nil {
		s.metrics.SetJobs(s.queued, s.running)
	}
}

// keep makes j readable through /api/v1/jobs: it became a job (202).
func (s *jobStore) keep(j *job) {
	j.mu.Lock()
	j.listed = true
	j.mu.Unlock()
}

// forget drops j: it was answered directly.
func (s *jobStore) forget(j *job) {
	s.mu.Lock()
	delete(s.jobs, j.id)
	s.mu.Unlock()
}

// get returns owner's job id.
func (s *jobStore) get(id, owner string) (*job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	j, ok := s.jobs[id]
	if !ok || j.owner != owner {
		return nil, false
	}
	if _, _, listed := j.snapshot(); !listed {
		return nil, false
	}
	return j, true
}

// list returns owner's jobs, oldest first.
func (s *jobStore) list(owner string) []api.Job {
	s.mu.Lock()
	var mine []*job
	s.sweepLocked()
	for _, j := range s.jobs {
		if _, _, listed := j.snapshot(); listed && j.owner == owner {
			mine = append(mine, j)
		}
	}
	s.mu.Unlock()
	sort.Slice(mine, func(a, b int) bool { return mine[a].created.Before(mine[b].created) })
	out := make([]api.Job, 0, len(mine))
	for _, j := range mine {
		out = append(out, j.view())
	}
	return out
}

// cancel asks owner's job id to stop; it ends as canceled once the
// operation returns.
func (s *jobStore) cancel(id, owner string) (*job, bool) {
	j, ok := s.get(id, owner)
	if !ok {
		return nil, false
	}
	j.mu.Lock()
	ended := api.Terminal(j.state)
	if !ended {
		j.canceling = true
	}
	j.mu.Unlock()
	if !ended {
		j.cancel()
	}
	return j, true
}

// sweepLocked drops the jobs that ended more than retention ago.
func (s *jobStore) sweepLocked() {
	now := s.now()
	for id, j := range s.jobs {
		state, finished, listed := j.snapshot()
		if listed && api.Terminal(state) && now.Sub(finished) > s.retention {
			delete(s.jobs, id)
		}
	}
}
