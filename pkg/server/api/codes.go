package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/ceso/ceso/pkg/errkind"
)

// Error codes: the classes of the CLI's exit codes. A client maps a code
// back to its kind (KindOf), so a command exits with the same code whether
// it ran locally or through the server.
const (
	CodeError       = "error"       // exit 1: not classified
	CodeUsage       = "usage"       // exit 2: bad params, body or query
	CodeConfig      = "config"      // exit 3: the server's configuration or a secret
	CodeConnection  = "connection"  // exit 4: the host cannot be reached
	CodeAuth        = "auth"        // exit 4: the token, or the host's login, was refused
	CodeNotFound    = "not-found"   // exit 5: VM, backup, operation, job
	CodeRefused     = "refused"     // exit 6: sandbox, allowlist, licence, state, rate limit
	CodePartial     = "partial"     // exit 7: a batch partly failed
	CodeTimeout     = "timeout"     // exit 8: a deadline passed
	CodeInterrupted = "interrupted" // exit 130: cancelled (DELETE, shutdown)
)

var byKind = map[errkind.Kind]string{
	errkind.Unknown: CodeError, errkind.Usage: CodeUsage, errkind.Config: CodeConfig,
	errkind.Connection: CodeConnection, errkind.Auth: CodeAuth, errkind.NotFound: CodeNotFound,
	errkind.Refused: CodeRefused, errkind.Partial: CodePartial, errkind.Timeout: CodeTimeout,
	errkind.Canceled: CodeInterrupted,
}

// Codes lists every code, for the OpenAPI document.
func Codes() []string {
	return []string{CodeError, CodeUsage, CodeConfig, CodeConnection, CodeAuth, CodeNotFound,
		CodeRefused, CodePartial, CodeTimeout, CodeInterrupted}
}

// Code is the code of err's kind; a context's cancellation or deadline
// counts as interrupted or timeout when err has no kind of its own.
func Code(err error) string {
	k := errkind.Of(err)
	if k == errkind.Unknown {
		switch {
		case errors.Is(err, context.Canceled):
			k = errkind.Canceled
		case errors.Is(err, context.DeadlineExceeded):
			k = errkind.Timeout
		}
	}
	return byKind[k]
}

// KindOf is the kind of a code; an unknown code is errkind.Unknown.
func KindOf(code string) errkind.Kind {
	for k, c := range byKind {
		if c == code {
			return k
		}
	}
	return errkind.Unknown
}

// Status is the HTTP status an operation's error of code answers with.
func Status(code string) int {
	switch code {
	case CodeUsage:
		return http.StatusBadRequest
	case CodeNotFound:
		return http.StatusNotFound
	case CodeRefused:
		return http.StatusForbidden
	case CodeConnection, CodeAuth:
		return http.StatusBadGateway // the host's, not the caller's
	case CodeTimeout:
		return http.StatusGatewayTimeout
	case CodeInterrupted:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
