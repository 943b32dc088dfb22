package server

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/server/api"
)

// cancelGrace is how long cancelled operations get to return after the
// shutdown timeout: a cancelled call to the host ends at once, and a
// rollback runs on a context of its own.
const cancelGrace = 30 * time.Second

// drain refuses new jobs, lets running ones finish until ctx ends, then
// cancels the rest and waits for them to return. Each job that was
// running when it began is logged as finished or cancelled; the runner
// writes each one's end to the audit log.
func (s *jobStore) drain(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	var active []*job
	for _, j := range s.jobs {
		if state, _, _ := j.snapshot(); !api.Terminal(state) {
			active = append(active, j)
		}
	}
	s.mu.Unlock()
	all := make(chan struct{})
	go func() { s.wg.Wait(); close(all) }()
	var err error
	select {
	case <-all:
	case <-ctx.Done():
		for _, j := range active {
			j.mu.Lock()
			if !api.Terminal(j.state) {
				j.canceling = true
			}
			j.mu.Unlock()
		}
		s.stop()
		select {
		case <-all:
		case <-time.After(cancelGrace):
			err = fmt.Errorf("%d operations did not return within %s of being cancelled", s.unfinished(active), cancelGrace)
		}
	}
	for _, j := range active {
		v := j.view()
		ev := s.log.Info()
		msg := "shutdown: job finished"
		if v.State == api.StateCanceled {
			ev, msg = s.log.Warn(), "shutdown: job cancelled"
		}
		ev.Str("job", v.ID).Str("op", v.Operation).Str("actor", v.Actor).Str("state", v.State).Msg(msg)
	}
	s.stop()
	return err
}

func (s *jobStore) unfinished(jobs []*job) int {
	n := 0
	for _, j := range jobs {
		if state, _, _ := j.snapshot(); !api.Terminal(state) {
			n++
		}
	}
	return n
}
