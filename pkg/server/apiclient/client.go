package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/server/api"
)

// Config says how to reach a server.
type Config struct {
	// URL is the server: http://127.0.0.1:8443 or https://HOST:PORT.
	URL string
	// Token is the bearer token.
	Token string
	// Thumbprint pins the server's certificate by its SHA-256 fingerprint
	// (api.Fingerprint); empty trusts the system's roots.
	Thumbprint string
	// PollInterval is the first wait between reads of a job (100ms when
	// 0); it doubles up to 2s.
	PollInterval time.Duration
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// Client calls one server. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
	poll  time.Duration
}

// maxPoll bounds the wait between two reads of a job.
const maxPoll = 2 * time.Second

// New checks cfg and makes a client; nothing is sent yet.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errkind.Wrap(errkind.Usage, fmt.Errorf("server URL %q: want http://HOST:PORT or https://HOST:PORT", cfg.URL))
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return nil, errkind.Wrap(errkind.Usage, fmt.Errorf("server URL %q: plain HTTP only to a loopback address, or the token travels in clear; use https://", cfg.URL))
	}
	if cfg.Token == "" {
		return nil, errkind.Wrap(errkind.Config, fmt.Errorf("no API token for %s: give --token-file, CESO_TOKEN_FILE or server.token_file", cfg.URL))
	}
	rt := cfg.Transport
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.Thumbprint != "" {
			t.TLSClientConfig = pinned(cfg.Thumbprint)
		}
		rt = t
	}
	poll := cfg.PollInterval
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	return &Client{base: u, token: cfg.Token, hc: &http.Client{Transport: rt}, poll: poll}, nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// pinned trusts exactly the certificate whose fingerprint is fp.
func pinned(fp string) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, //nolint:gosec // the certificate is checked by its pinned fingerprint below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return fmt.Errorf("the ceso server sent no certificate")
			}
			if got := api.Fingerprint(raw[0]); !strings.EqualFold(got, fp) {
				return fmt.Errorf("the ceso server's certificate has SHA-256 fingerprint %s, not the pinned %s (server.thumbprint)", got, fp)
			}
			return nil
		},
	}
}

// do sends one request and decodes a 2xx answer into out; any other answer
// is returned as an error of its code's kind.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body []byte, out any) (int, error) {
	return c.doWith(ctx, method, path, query, nil, body, out)
}

// doWith is do with extra request headers.
func (c *Client) doWith(ctx context.Context, method, path string, query url.Values, header http.Header, body []byte, out any) (int, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("calling the ceso server %s: %w", c.base.Host, ctx.Err())
		}
		return 0, errkind.Wrap(errkind.Connection, fmt.Errorf("calling the ceso server %s: %w", c.base.Host, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("reading the ceso server's answer: %w", ctx.Err())
		}
		return 0, errkind.Wrap(errkind.Connection, fmt.Errorf("reading the ceso server's answer: %w", err))
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, answerError(resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return resp.StatusCode, errkind.Wrap(errkind.Connection, fmt.Errorf("the ceso server's answer (%d) is not what the API says: %w", resp.StatusCode, err))
	}
	return resp.StatusCode, nil
}
