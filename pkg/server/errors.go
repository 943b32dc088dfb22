package server

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrTLS is returned when the server's certificate cannot be loaded or
	// made.
	ErrTLS = errkind.New(errkind.Config, "server TLS")
	// ErrListen is returned when the server cannot listen on its address.
	ErrListen = errkind.New(errkind.Config, "server listen")
	// ErrToken is returned for a server.tokens entry the server cannot use.
	ErrToken = errkind.New(errkind.Config, "server token")
	// ErrShuttingDown refuses new operations once shutdown began.
	ErrShuttingDown = errkind.New(errkind.Canceled, "the server is shutting down")
	// ErrNoRoute is returned for a path or method the API does not have.
	ErrNoRoute = errkind.New(errkind.NotFound, "no such route")
	// ErrUnauthorized is returned for a request without a known token.
	ErrUnauthorized = errkind.New(errkind.Auth, "unauthorized")
	// ErrForbidden is returned for a client outside security.ip_allowlist.
	ErrForbidden = errkind.New(errkind.Refused, "forbidden")
	// ErrRateLimited is returned when a token exceeds server.rate_limit.
	ErrRateLimited = errkind.New(errkind.Refused, "rate limited")
	// ErrJobNotFound is returned for a job that does not exist, has expired
	// or belongs to another token.
	ErrJobNotFound = errkind.New(errkind.NotFound, "job not found")
	// ErrBadRequest is returned for a body or query the API cannot read.
	ErrBadRequest = errkind.New(errkind.Usage, "bad request")
)
