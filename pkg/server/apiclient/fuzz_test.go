package apiclient

import (
	"errors"
	"testing"
)

// FuzzAnswerError: any answer a server (or something posing as one) sends
// becomes an *Error with a message and a code the client knows how to exit
// with.
func FuzzAnswerError(f *testing.F) {
	f.Add(403, []byte(`{"code":"refused","message":"no","correlation_id":"c"}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(401, []byte(`{"code":""}`))
	f.Add(500, []byte(`{"code":"martian","message":"?"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := answerError(status, body)
		var e *Error
		if !errors.As(err, &e) || e.Status != status {
			t.Fatalf("%T %v", err, err)
		}
		if e.Body.Code == "" {
			t.Fatalf("no code for %d %q", status, body)
		}
		_ = e.Kind()
	})
}
