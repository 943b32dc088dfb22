package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/ceso/ceso/pkg/server/api"
)

// readyTimeout bounds the checks of one /readyz.
const readyTimeout = 10 * time.Second

// healthz answers while the process serves.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	s.writeJSON(w, http.StatusOK, api.Health{Status: "ok"}, "")
}

// readyz answers 200 when the host is reachable with a valid session, the
// backup catalog can be opened and the audit log written; 503 naming the
// checks that failed otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	checks := map[string]func() error{
		"host":    func() error { return s.app.CheckHost(ctx) },
		"catalog": func() error { return s.app.CheckCatalog(ctx) },
		"audit":   s.app.CheckAudit,
	}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = api.Health{Status: "ok", Checks: map[string]string{}}
	)
	for name, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := "ok"
			if err := check(); err != nil {
				msg = err.Error()
			}
			mu.Lock()
			defer mu.Unlock()
			out.Checks[name] = msg
			if msg != "ok" {
				out.Status = "unavailable"
			}
		}()
	}
	wg.Wait()
	status := http.StatusOK
	if out.Status != "ok" {
		status = http.StatusServiceUnavailable
		s.log.Warn().Interface("checks", out.Checks).Msg("not ready")
	}
	s.writeJSON(w, status, out, "")
}
