package mcp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Serve runs one MCP session for id over t (stdio for `ceso mcp`, an
// in-memory transport in tests) until the client leaves or ctx ends.
func (s *Server) Serve(ctx context.Context, id Identity, t sdk.Transport) error {
	srv, err := s.For(id)
	if err != nil {
		return err
	}
	s.log.Info().Str("agent", id.Agent).Msg("MCP session started")
	err = srv.Run(ctx, t)
	s.log.Info().Str("agent", id.Agent).Err(err).Msg("MCP session ended")
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("MCP session: %w", err)
	}
	return nil
}

// Stdio is the transport of `ceso mcp`: JSON-RPC lines on in and out.
func Stdio(in io.ReadCloser, out io.WriteCloser) sdk.Transport {
	return &sdk.IOTransport{Reader: in, Writer: out}
}

// SessionTimeout closes an HTTP MCP session idle for this long.
const SessionTimeout = 30 * time.Minute

// Handler serves MCP over streamable HTTP. identify names the caller of a
// request (the server's bearer token: its name and mode); it runs after
// the server's own authentication, so a request it cannot name is refused
// (401). A session stays bound to the identity that opened it: a request
// with another token cannot use it.
func (s *Server) Handler(identify func(*http.Request) (Identity, bool)) http.Handler {
	h := sdk.NewStreamableHTTPHandler(func(r *http.Request) *sdk.Server {
		id, ok := identify(r)
		if !ok {
			return nil
		}
		srv, err := s.For(id)
		if err != nil {
			s.log.Warn().Str("agent", id.Agent).Err(err).Msg("no MCP server for this caller")
			return nil
		}
		return srv
	}, &sdk.StreamableHTTPOptions{SessionTimeout: SessionTimeout})
	// The SDK binds a session to TokenInfo.UserID: the identity.
	verify := func(_ context.Context, _ string, r *http.Request) (*auth.TokenInfo, error) {
		id, ok := identify(r)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: id.Agent + "\x00" + id.Mode}, nil
	}
	return auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h)
}
