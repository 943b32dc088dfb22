package server

import (
	"fmt"
	"net/http"

	"github.com/ceso/ceso/pkg/server/api"
)

// listJobs answers GET /api/v1/jobs: the caller's jobs, oldest first.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, api.JobList{Jobs: s.jobs.list(callerFrom(r.Context()).name)}, "")
}

// jobByID answers GET (the job) and DELETE (cancel it, then the job) of
// /api/v1/jobs/{id}. Another token's job is not found.
func (s *Server) jobByID(w http.ResponseWriter, r *http.Request) {
	id, owner := r.PathValue("id"), callerFrom(r.Context()).name
	var (
		j  *job
		ok bool
	)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		j, ok = s.jobs.get(id, owner)
	case http.MethodDelete:
		j, ok = s.jobs.cancel(id, owner)
		if ok {
			s.log.Info().Str("job", id).Str("actor", owner).Msg("job cancellation asked")
		}
	default:
		w.Header().Set("Allow", "GET, DELETE")
		s.writeError(w, r, http.StatusMethodNotAllowed, fmt.Errorf("%w: %s on a job: use GET or DELETE", ErrBadRequest, r.Method), "")
		return
	}
	if !ok {
		s.writeError(w, r, http.StatusNotFound, fmt.Errorf("%w: %q (jobs are kept for server.job_retention after they end, and only their token sees them)", ErrJobNotFound, id), "")
		return
	}
	s.writeJSON(w, http.StatusOK, j.view(), j.id)
}
