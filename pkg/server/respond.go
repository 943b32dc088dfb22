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
	body, err := encode(v)
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
	_, _ = w.Write(body)
}

// encode is JSON without HTML escaping ("->" stays readable), ending in a
// newline.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
		if enc, err := encode(v); err == nil {
			if q := bytes.TrimSpace(enc); len(q) >= 2 && !bytes.Equal(q[1:len(q)-1], []byte(v)) {
				s = append(s, q[1:len(q)-1])
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
