package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	gossh "golang.org/x/crypto/ssh"
)

// cancelGrace is how long Run waits for a cancelled command's session to
// close before it closes the whole connection.
const cancelGrace = 2 * time.Second

// maxOutput bounds what Run keeps of each output stream (a variable so
// that tests can lower it).
var maxOutput = 16 << 20

// Client is an authenticated SSH connection to one host. It is safe for
// concurrent use: each Run opens its own session (ESXi's sshd allows 10 per
// connection by default).
type Client struct {
	addr     string
	conn     *gossh.Client
	log      zerolog.Logger
	recorded bool
	// sessions bounds the sessions open at once.
	sessions chan struct{}

	done      chan struct{}
	closeOnce sync.Once
}

// Dial connects to cfg.Host, verifies its host key against the known_hosts
// file and logs in. ctx and cfg.Timeout bound the connection and handshake.
// A refused host key is a *HostKeyError (ErrUnknownHostKey,
// ErrHostKeyMismatch, ErrHostKeyRevoked); refused credentials are
// ErrAuthFailed.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	addr, err := cfg.address()
	if err != nil {
		return nil, err
	}
	auth, err := cfg.authMethods()
	if err != nil {
		return nil, err
	}
	khPath, err := cfg.knownHostsPath()
	if err != nil {
		return nil, err
	}
	checker, err := newHostKeyChecker(khPath, cfg.AcceptNewHostKey)
	if err != nil {
		return nil, err
	}
	ccfg := &gossh.ClientConfig{
		User:              cfg.User,
		Auth:              auth,
		HostKeyCallback:   checker.check,
		HostKeyAlgorithms: checker.knownAlgorithms(addr),
		Timeout:           cfg.timeout(),
	}
	conn, err := handshake(ctx, addr, ccfg, cfg.timeout(), func(err error) error {
		return classifyHandshakeError(addr, cfg.User, ccfg.HostKeyAlgorithms, checker.file, err)
	})
	if err != nil {
		return nil, err
	}
	c := &Client{addr: addr, conn: conn, log: cfg.Logger, done: make(chan struct{}), sessions: make(chan struct{}, cfg.maxSessions())}
	c.recorded = checker.wasRecorded()
	if ka := cfg.keepAlive(); ka > 0 {
		go c.keepAlive(ka)
	}
	return c, nil
}

// handshake opens the TCP connection and runs the SSH handshake, closing the
// connection if ctx ends or the timeout passes first. classify turns a
// handshake failure into the error returned.
func handshake(ctx context.Context, addr string, ccfg *gossh.ClientConfig, timeout time.Duration,
	classify func(error) error) (*gossh.Client, error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", addr, err)
	}
	stop := context.AfterFunc(dctx, func() { nc.Close() })
	sc, chans, reqs, err := gossh.NewClientConn(nc, addr, ccfg)
	if !stop() {
		if err == nil {
			sc.Close()
		}
		return nil, fmt.Errorf("ssh handshake with %s: %w", addr, dctx.Err())
	}
	if err != nil {
		nc.Close()
		return nil, classify(err)
	}
	return gossh.NewClient(sc, chans, reqs), nil
}

// classifyHandshakeError turns handshake failures into the package's errors.
func classifyHandshakeError(addr, user string, hostKeyAlgos []string, knownHosts string, err error) error {
	var hkErr *HostKeyError
	var negErr *gossh.AlgorithmNegotiationError
	switch {
	case errors.As(err, &hkErr):
		return hkErr
	case errors.As(err, &negErr) && negErr.What == "host key" && len(hostKeyAlgos) > 0:
		return fmt.Errorf("%s offers no host key of the types %s records for it (%s): %w",
			addr, knownHosts, strings.Join(hostKeyAlgos, ", "), ErrHostKeyMismatch)
	case strings.Contains(err.Error(), "unable to authenticate"):
		return fmt.Errorf("logging in to %s as %s: %w (%v)", addr, user, ErrAuthFailed, err)
	}
	return fmt.Errorf("ssh handshake with %s: %w", addr, err)
}

// Addr returns the host:port the client is connected to.
func (c *Client) Addr() string { return c.addr }

// RecordedHostKey reports whether Dial recorded the host's key in the
// known_hosts file (Config.AcceptNewHostKey and an unknown host).
func (c *Client) RecordedHostKey() bool { return c.recorded }

// Close closes the connection. Commands still running see their session
// end; the host may finish them.
func (c *Client) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.done)
		err = c.conn.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
	})
	return err
}

// keepAlive sends a keepalive request every interval and closes the
// connection when one fails or goes unanswered for an interval, so that a
// command on a dead connection ends instead of hanging.
func (c *Client) keepAlive(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		errc := make(chan error, 1)
		go func() {
			_, _, err := c.conn.SendRequest("keepalive@openssh.com", true, nil)
			errc <- err
		}()
		select {
		case <-c.done:
			return
		case err := <-errc:
			if err == nil {
				continue
			}
			c.log.Debug().Str("host", c.addr).Err(err).Msg("ssh keepalive failed; closing the connection")
		case <-time.After(interval):
			c.log.Debug().Str("host", c.addr).Msg("ssh keepalive unanswered; closing the connection")
		}
		c.conn.Close()
		return
	}
}
