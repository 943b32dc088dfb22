package server

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/server/api"
	"github.com/rs/zerolog"
)

// TestSecretsNeverLeave: a response that would carry a password, as is or
// JSON-escaped, carries asterisks instead.
func TestSecretsNeverLeave(t *testing.T) {
	s := &Server{secrets: newSecrets("hunter2", `pa"ss<w>`, ""), log: zerolog.Nop()}
	tests := []error{
		errors.New("login as root with hunter2 refused"),
		errkind.Wrap(errkind.Auth, errors.New(`password pa"ss<w> expired`)),
	}
	for _, err := range tests {
		w := httptest.NewRecorder()
		s.writeError(w, nil, 0, err, "id-1")
		body := w.Body.String()
		if strings.Contains(body, "hunter2") || strings.Contains(body, `pa\"ss`) || strings.Contains(body, `pa\"ss<w>`) || !strings.Contains(body, mask) {
			t.Fatalf("body %s", body)
		}
		var e api.Error
		if json.Unmarshal(w.Body.Bytes(), &e) != nil || e.CorrelationID != "id-1" || w.Header().Get(api.CorrelationHeader) != "id-1" {
			t.Fatalf("body %s", body)
		}
	}
	w := httptest.NewRecorder()
	s.writeJSON(w, 200, func() {}, "")
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"code":"error"`) {
		t.Fatalf("an unencodable value: %d %s", w.Code, w.Body)
	}
}
