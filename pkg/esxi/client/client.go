package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Config says how to reach and log in to one host.
type Config struct {
	Host     string // name or address, optional :port (443)
	User     string
	Password string
	// PasswordFunc gives the password when Password is empty (a password
	// command). It is called only when a login is needed, so a cached
	// session is reused without it; such a session is not checked against
	// the password (with Password set, it is).
	PasswordFunc func(ctx context.Context) (string, error)
	Thumbprint   string // SHA-1 or SHA-256, colon hex
	CAFile       string
	Insecure     bool
	// SessionDir caches the session across invocations; "" disables the cache.
	SessionDir string
	// CacheOnly uses the cached session or nothing: no login, no renewal
	// (ErrNoCachedSession). Shell completion works this way.
	CacheOnly bool
	// KeepAlive touches an idle session at this interval; 0 disables it.
	KeepAlive time.Duration
	// Warn receives the insecure-mode warning (os.Stderr in the CLI).
	Warn   io.Writer
	Logger zerolog.Logger
	// Observer, when set, is told of every API call, login and change of
	// the pool's use (the metrics).
	Observer Observer
}

// Observer receives what clients and pools do. Implementations must be
// safe for concurrent use.
type Observer interface {
	// ObserveCall: the API method ("RetrievePropertiesEx") took d and
	// ended with err.
	ObserveCall(method string, d time.Duration, err error)
	// Login: a session logged in.
	Login()
	// Pool: the pool now lends inUse sessions and keeps idle ones.
	Pool(inUse, idle int)
}

// Stats counts what a client sent, for tests and benchmarks.
type Stats struct {
	RoundTrips int64 // SOAP requests, renewals and retries included
	Logins     int64 // Login calls
}

// Client is one logged-in session with a host. It is safe for concurrent use.
type Client struct {
	cfg Config
	// vim is replaced, never changed, when a login reads the service
	// content anew: callers holding an older one keep a consistent copy.
	vim  atomic.Pointer[vim25.Client]
	soap *soap.Client

	mu  sync.Mutex // serialises renewals
	gen int        // session generation, bumped by each login

	roundTrips atomic.Int64
	logins     atomic.Int64
	lastUse    atomic.Int64 // unix nanos
	fromCache  bool

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// Connect opens a session with the host: a cached session when one exists
// (no login), else a new login, which is then cached. A cached session that
// has expired is renewed on its first use.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Host == "" {
		return nil, errors.New("no ESXi host given")
	}
	if cfg.User == "" {
		return nil, errors.New("no ESXi user given")
	}
	u := &url.URL{Scheme: "https", Host: cfg.Host, Path: vim25.Path}
	hostname := u.Hostname()
	if u.Port() == "" {
		u.Host = net.JoinHostPort(hostname, "443")
	}
	v, err := newVerifier(hostname, cfg.Thumbprint, cfg.CAFile, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	if cfg.Insecure && cfg.Warn != nil {
		fmt.Fprintf(cfg.Warn, "warning: certificate verification for %s is disabled (insecure): anyone on the network path can read the password; pin the thumbprint instead\n", cfg.Host)
	}
	sc := soap.NewClient(u, false)
	sc.DefaultTransport().DialTLSContext = v.dialTLS
	sc.Namespace = "urn:" + vim25.Namespace
	sc.Version = vim25.Version
	c := &Client{cfg: cfg, soap: sc, stop: make(chan struct{}), done: make(chan struct{})}
	c.vim.Store(&vim25.Client{Client: sc, RoundTripper: &transport{c: c}})

	if cached, ok := loadSession(cfg); ok {
		sc.Jar.SetCookies(u, cached.Cookies)
		c.setContent(cached.ServiceContent)
		c.fromCache = true
		cfg.Logger.Debug().Str("host", cfg.Host).Msg("reusing cached session")
	} else if cfg.CacheOnly {
		return nil, fmt.Errorf("%w: %s", ErrNoCachedSession, cfg.Host)
	} else if err := c.login(ctx); err != nil {
		return nil, err
	}
	c.touch()
	if cfg.KeepAlive > 0 {
		go c.keepAlive(cfg.KeepAlive)
	} else {
		close(c.done)
	}
	return c, nil
}

func connectError(host string, err error) error {
	if err = Classify(err); errkindKnown(err) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w: %s: %w; check that the address is the ESXi host itself and that its SDK answers on https://%s/sdk", ErrNotESXi, host, err, host)
}

// Vim is the govmomi client for this session. Its ServiceContent is the
// one the latest login read; a later login (a renewal) brings a new
// *vim25.Client, so keep the result only as long as one call needs it.
func (c *Client) Vim() *vim25.Client { return c.vim.Load() }

// About is the host's product and version as the latest login read them
// (ServiceContent.About): after a host upgrade, the next login sees the new
// version.
func (c *Client) About() types.AboutInfo { return c.vim.Load().ServiceContent.About }

// setContent publishes a service content: a new vim25.Client sharing the
// SOAP client and transport, never a change to the one readers hold.
func (c *Client) setContent(content types.ServiceContent) {
	v := *c.vim.Load()
	v.ServiceContent = content
	c.vim.Store(&v)
}

// Host is the configured host address.
func (c *Client) Host() string { return c.cfg.Host }

// Config returns the configuration the client was made with.
func (c *Client) Config() Config { return c.cfg }

// IsVCenter reports whether the endpoint is a vCenter rather than a standalone host.
func (c *Client) IsVCenter() bool { return c.About().ApiType == "VirtualCenter" }

// FromCache reports whether the session came from the on-disk cache.
func (c *Client) FromCache() bool { return c.fromCache }

// Stats returns the round trips and logins so far.
func (c *Client) Stats() Stats {
	return Stats{RoundTrips: c.roundTrips.Load(), Logins: c.logins.Load()}
}

func (c *Client) touch() { c.lastUse.Store(time.Now().UnixNano()) }

// login reads the service content anew (the host may have been upgraded
// since the last login), logs in with the configured password, publishes
// the content and caches the session.
func (c *Client) login(ctx context.Context) error {
	if c.cfg.CacheOnly {
		return fmt.Errorf("%w: %s", ErrNoCachedSession, c.cfg.Host)
	}
	content, err := c.serviceContent(ctx)
	if err != nil {
		return err
	}
	password := c.cfg.Password
	if password == "" && c.cfg.PasswordFunc != nil {
		if password, err = c.cfg.PasswordFunc(ctx); err != nil {
			return err
		}
	}
	req := types.Login{This: *content.SessionManager, UserName: c.cfg.User, Password: password, Locale: "en_US"}
	c.roundTrips.Add(1)
	c.logins.Add(1)
	if o := c.cfg.Observer; o != nil {
		o.Login()
	}
	if _, err := methods.Login(ctx, c.soap, &req); err != nil {
		err = Classify(err)
		if errors.Is(err, ErrInvalidLogin) {
			return fmt.Errorf("logging in to %s as %s: %w", c.cfg.Host, c.cfg.User, err)
		}
		return connectError(c.cfg.Host, err)
	}
	c.gen++
	c.setContent(content)
	if err := saveSession(c.cfg, c.soap, content, password); err != nil {
		c.cfg.Logger.Warn().Err(err).Msg("session cache not written")
	}
	return nil
}

// serviceContent reads the host's service content, straight over SOAP (a
// renewal holds c.mu, which the transport takes), and checks that the
// endpoint is an ESXi host or a vCenter.
func (c *Client) serviceContent(ctx context.Context) (types.ServiceContent, error) {
	c.roundTrips.Add(1)
	start := time.Now()
	content, err := methods.GetServiceContent(ctx, c.soap)
	if o := c.cfg.Observer; o != nil {
		o.ObserveCall("RetrieveServiceContent", time.Since(start), err)
	}
	if err != nil {
		return content, connectError(c.cfg.Host, err)
	}
	if content.SessionManager == nil {
		return content, fmt.Errorf("%w: %s answered without a session manager", ErrNotESXi, c.cfg.Host)
	}
	if api := content.About.ApiType; api != "HostAgent" && api != "VirtualCenter" {
		return content, fmt.Errorf("%w: %s answered with API type %q", ErrNotESXi, c.cfg.Host, api)
	}
	return content, nil
}

// renew logs in again unless another goroutine already did since gen.
func (c *Client) renew(ctx context.Context, gen int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil
	}
	c.cfg.Logger.Debug().Str("host", c.cfg.Host).Msg("session expired, logging in again")
	return c.login(ctx)
}

func (c *Client) generation() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// Close stops the keepalive and leaves the session open for the next
// invocation when it is cached; an uncached session is logged out.
func (c *Client) Close(ctx context.Context) error {
	c.stopKeepAlive()
	if c.cfg.SessionDir == "" {
		return c.logout(ctx)
	}
	return nil
}

// Logout ends the session on the host and removes it from the cache.
func (c *Client) Logout(ctx context.Context) error {
	c.stopKeepAlive()
	removeSession(c.cfg)
	return c.logout(ctx)
}

func (c *Client) logout(ctx context.Context) error {
	c.roundTrips.Add(1)
	_, err := methods.Logout(ctx, c.soap, &types.Logout{This: *c.Vim().ServiceContent.SessionManager})
	if err != nil && !IsFault(err, &types.NotAuthenticated{}) {
		return fmt.Errorf("logging out of %s: %w", c.cfg.Host, Classify(err))
	}
	return nil
}

func (c *Client) stopKeepAlive() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}

// keepAlive touches the session when it has been idle for interval, so that
// hostd does not expire it during a long transfer that makes no SOAP calls.
func (c *Client) keepAlive(interval time.Duration) {
	defer close(c.done)
	tick := time.NewTicker(interval / 2)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			if time.Since(time.Unix(0, c.lastUse.Load())) < interval/2 {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), interval/2)
			_, err := methods.GetCurrentTime(ctx, c.Vim().RoundTripper)
			cancel()
			if err != nil {
				c.cfg.Logger.Warn().Err(err).Str("host", c.cfg.Host).Msg("session keepalive failed")
			}
		}
	}
}
