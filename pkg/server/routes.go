package server

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/ceso/ceso/pkg/mcp"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/server/api"
)

// routes is the whole API: one route per catalog operation, the jobs, the
// OpenAPI document and the health checks, behind the IP allowlist.
func (s *Server) routes(catalog []operations.Def) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(api.HealthPath, s.onlyGet(s.healthz))
	mux.HandleFunc(api.ReadyPath, s.onlyGet(s.readyz))
	mux.HandleFunc(api.OpenAPIPath, s.onlyGet(s.openapiJSON))
	for _, d := range catalog {
		mux.Handle(api.OpsPrefix+d.Name(), s.authed(s.opHandler(d)))
	}
	mux.Handle(api.MCPPath, s.authed(s.longLived(s.mcp.Handler(s.mcpIdentity))))
	mux.Handle(api.JobsPath, s.authed(s.onlyGet(s.listJobs)))
	mux.Handle(api.JobsPath+"/{id}", s.authed(http.HandlerFunc(s.jobByID)))
	mux.Handle(api.Prefix+"/", s.authed(http.HandlerFunc(s.noRoute)))
	mux.HandleFunc("/", s.noRoute)
	return s.recovered(s.allowlisted(mux))
}

// longLived lets a request outlive the server's read and write timeouts,
// up to the operation timeout (esxi.timeout) and a minute: an MCP tool call
// answers when its operation ends, and an MCP event stream stays open.
func (s *Server) longLived(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		deadline := time.Now().Add(s.app.Config().Timeout() + time.Minute)
		if err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline)); err != nil {
			s.log.Debug().Err(err).Msg("the connection's deadlines cannot be extended")
		}
		next.ServeHTTP(w, r)
	})
}

// mcpIdentity is the MCP identity of a request: its token's name (the
// audit actor) and mode (the ceiling).
func (s *Server) mcpIdentity(r *http.Request) (mcp.Identity, bool) {
	c := callerFrom(r.Context())
	if c == nil {
		return mcp.Identity{}, false
	}
	return mcp.Identity{Agent: c.name, Mode: c.mode}, true
}

func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, http.StatusNotFound, fmt.Errorf("%w: %s (the operations are under %s; see %s)", ErrNoRoute, r.URL.Path, api.OpsPrefix, api.OpenAPIPath), "")
}

func (s *Server) onlyGet(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.writeError(w, r, http.StatusMethodNotAllowed, fmt.Errorf("%w: %s %s: use GET", ErrBadRequest, r.Method, r.URL.Path), "")
			return
		}
		h(w, r)
	}
}

// recovered answers 500 to a handler that panicked, and logs the stack,
// instead of dropping the connection.
func (s *Server) recovered(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error().Str("path", r.URL.Path).Str("stack", string(debug.Stack())).Msgf("handler panicked: %v", v)
				s.writeError(w, r, http.StatusInternalServerError, fmt.Errorf("internal error"), "")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
