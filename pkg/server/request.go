package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/security"
	"github.com/ceso/ceso/pkg/server/api"
)

// opRequest is what a request to an operation's route asks for.
type opRequest struct {
	params  json.RawMessage
	dryRun  bool
	timeout time.Duration
	// The security headers: a lower mode, a human's confirmation, a
	// promotion token, a plan approval.
	mode, promotionToken, approval string
	confirmed                      bool
}

// call is the runner's call of req by c: c's name is the actor, and the
// mode is c's (its token's) unless the request lowers it; a request asking
// for more than its token has is refused.
func (req opRequest) call(c *caller) (app.Call, error) {
	mode := c.mode
	if req.mode != "" {
		m, err := security.EffectiveMode(c.mode, req.mode, "")
		if err != nil {
			return app.Call{}, errkind.Wrap(errkind.Refused, fmt.Errorf("%s: %w", api.ModeHeader, err))
		}
		mode = m
	}
	return app.Call{
		DryRun: req.dryRun, Actor: c.name, Mode: mode, Confirmed: req.confirmed,
		PromotionToken: req.promotionToken, Approval: req.approval,
	}, nil
}

// readHeaders reads the security headers of r into req.
func readHeaders(r *http.Request, req *opRequest) error {
	req.mode = r.Header.Get(api.ModeHeader)
	req.promotionToken = r.Header.Get(api.PromotionTokenHeader)
	req.approval = r.Header.Get(api.ApprovalHeader)
	if v := r.Header.Get(api.ConfirmedHeader); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%w: %s: %q: want true or false", ErrBadRequest, api.ConfirmedHeader, v)
		}
		req.confirmed = b
	}
	if req.mode != "" {
		if _, err := security.ParseMode(req.mode); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrBadRequest, api.ModeHeader, err)
		}
	}
	return nil
}

// maxTimeout bounds ?timeout=.
const maxTimeout = 7 * 24 * time.Hour

// readRequest reads the query (dry_run, timeout; nothing else) and the
// body (JSON, at most server.max_request_bytes). The status is 400 or 413.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (opRequest, int, error) {
	req := opRequest{timeout: s.app.Config().Timeout()}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return req, http.StatusBadRequest, fmt.Errorf("%w: the query %q does not parse: %w", ErrBadRequest, r.URL.RawQuery, err)
	}
	for key, vals := range query {
		if len(vals) != 1 {
			return req, http.StatusBadRequest, fmt.Errorf("%w: query parameter %s given %d times", ErrBadRequest, key, len(vals))
		}
		v := vals[0]
		switch key {
		case api.DryRunParam:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return req, http.StatusBadRequest, fmt.Errorf("%w: %s=%q: want true or false", ErrBadRequest, key, v)
			}
			req.dryRun = b
		case api.TimeoutParam:
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > maxTimeout {
				return req, http.StatusBadRequest, fmt.Errorf("%w: %s=%q: want a duration such as 90s or 30m, at most %s", ErrBadRequest, key, v, maxTimeout)
			}
			req.timeout = d
		default:
			return req, http.StatusBadRequest, fmt.Errorf("%w: unknown query parameter %q (want %s or %s)", ErrBadRequest, key, api.DryRunParam, api.TimeoutParam)
		}
	}
	if err := readHeaders(r, &req); err != nil {
		return req, http.StatusBadRequest, err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return req, http.StatusUnsupportedMediaType, fmt.Errorf("%w: Content-Type %q: the body is the operation's params as application/json", ErrBadRequest, ct)
		}
	}
	limit := int64(s.app.Config().Server.MaxRequestBytes)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return req, http.StatusRequestEntityTooLarge, fmt.Errorf("%w: the body is over server.max_request_bytes (%d bytes)", ErrBadRequest, limit)
	case err != nil:
		return req, http.StatusBadRequest, fmt.Errorf("%w: reading the body: %w", ErrBadRequest, err)
	}
	if len(body) > 0 && !json.Valid(body) {
		return req, http.StatusBadRequest, fmt.Errorf("%w: the body is not JSON; send the operation's params as a JSON object", ErrBadRequest)
	}
	req.params = body
	return req, 0, nil
}
