package server

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/ceso/ceso/pkg/server/api"
	"github.com/google/uuid"
)

// writeJSON writes v with status, the correlation ID header (a new one
// when id is empty), and every secret the server knows scrubbed from the
// body.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any, id string) {
	if id == "" {
		id = uuid.NewString()
	}
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"code":"error","message":"encoding the response failed","correlation_id":"`+id+`"}`)
		s.log.Error().Err(err).Str("correlation_id", id).Msg("encoding a response")
	}
	body = s.secrets.scrub(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set(api.CorrelationHeader, id)
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeError answers err as an api.Error with status (the code's own
// status when 0).
func (s *Server) writeError(w http.ResponseWriter, _ *http.Request, status int, err error, id string) {
	if id == "" {
		id = uuid.NewString()
	}
	e := apiError(err, id)
	if status == 0 {
		status = api.Status(e.Code)
	}
	s.writeJSON(w, status, e, id)
}

func apiError(err error, id string) *api.Error {
	return &api.Error{Code: api.Code(err), Message: err.Error(), CorrelationID: id}
}

// secrets are the values no response may carry: the ESXi and SSH
// passwords the server resolved.
type secrets [][]byte

const mask = "********"

func newSecrets(values ...string) secrets {
	var s secrets
	for _, v := range values {
		if v == "" {
			continue
		}
		s = append(s, []byte(v))
		// The value as it appears inside a JSON string, if it differs.
		if enc, err := json.Marshal(v); err == nil {
			if q := enc[1 : len(enc)-1]; !bytes.Equal(q, []byte(v)) {
				s = append(s, q)
			}
		}
	}
	return s
}

// scrub replaces every secret in b by asterisks.
func (s secrets) scrub(b []byte) []byte {
	for _, v := range s {
		if bytes.Contains(b, v) {
			b = bytes.ReplaceAll(b, v, []byte(mask))
		}
	}
	return b
}
