package sshtest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"

	gossh "golang.org/x/crypto/ssh"
)

// Options configure a Server. The zero value is a server on 127.0.0.1 with
// a fresh host key that accepts no login.
type Options struct {
	// Addr is the listen address; "127.0.0.1:0" if empty. Reuse the address
	// of a closed server to play a host whose key changed.
	Addr string
	// User is the only login name accepted; "root" if empty.
	User string
	// Password enables password logins (both methods) when not empty.
	Password string
	// KeyboardInteractiveOnly offers passwords only through
	// keyboard-interactive, as ESXi's default sshd does.
	KeyboardInteractiveOnly bool
	// AuthorizedKeys enables public-key logins with these keys.
	AuthorizedKeys []gossh.PublicKey
	// HostKey is the server's key; a generated ed25519 key if nil.
	HostKey gossh.Signer
	// ExtraHostKeys are further host keys of other types, as a real sshd
	// has (ESXi: RSA and ECDSA); the client picks one by its preferences.
	ExtraHostKeys []gossh.Signer
	// Handler runs the commands; without one every command fails with
	// exit status 127.
	Handler Handler
	// MaxSessions, when above 0, refuses a session channel while that many
	// are open on the connection, as sshd's MaxSessions does ("open failed:
	// administratively prohibited"); hardened hosts set it to 1.
	MaxSessions int
}

// Login is a successful authentication.
type Login struct {
	User   string
	Method string // "password", "keyboard-interactive" or "publickey"
}

// Server is a running in-process SSH server.
type Server struct {
	opts   Options
	cfg    *gossh.ServerConfig
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	gate   *gate

	mu         sync.Mutex
	handler    Handler
	commands   []string
	logins     []Login
	keepAlives int
	// refusedSessions counts the session channels MaxSessions refused.
	refusedSessions int
	conns           map[net.Conn]struct{}
	closed          bool
}

// Start starts a server. Close it when done.
func Start(opts Options) (*Server, error) {
	if opts.User == "" {
		opts.User = "root"
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.HostKey == nil {
		key, err := GenerateSigner()
		if err != nil {
			return nil, err
		}
		opts.HostKey = key
	}
	s := &Server{opts: opts, handler: opts.Handler, conns: map[net.Conn]struct{}{}, gate: newGate()}
	if s.handler == nil {
		s.handler = notFound
	}
	s.cfg = s.serverConfig()
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", opts.Addr, err)
	}
	s.ln = ln
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// GenerateSigner returns a new ed25519 key.
func GenerateSigner() (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating an ed25519 key: %w", err)
	}
	return gossh.NewSignerFromKey(priv)
}

func (s *Server) serverConfig() *gossh.ServerConfig {
	cfg := &gossh.ServerConfig{}
	// Logins are recorded before the client hears of its success.
	cfg.AuthLogCallback = func(c gossh.ConnMetadata, method string, err error) {
		if err == nil {
			s.mu.Lock()
			s.logins = append(s.logins, Login{User: c.User(), Method: method})
			s.mu.Unlock()
		}
	}
	if s.opts.Password != "" {
		if !s.opts.KeyboardInteractiveOnly {
			cfg.PasswordCallback = func(c gossh.ConnMetadata, pw []byte) (*gossh.Permissions, error) {
				if s.credentialsOK(c.User(), string(pw)) {
					return nil, nil
				}
				return nil, errors.New("wrong password")
			}
		}
		cfg.KeyboardInteractiveCallback = func(c gossh.ConnMetadata, ask gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
			answers, err := ask("", "", []string{"Password: "}, []bool{false})
			if err != nil {
				return nil, err
			}
			if len(answers) == 1 && s.credentialsOK(c.User(), answers[0]) {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	if len(s.opts.AuthorizedKeys) > 0 {
		cfg.PublicKeyCallback = func(c gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
			if c.User() != s.opts.User {
				return nil, errors.New("unknown user")
			}
			for _, k := range s.opts.AuthorizedKeys {
				if subtle.ConstantTimeCompare(k.Marshal(), key.Marshal()) == 1 {
					return nil, nil
				}
			}
			return nil, errors.New("key not authorised")
		}
	}
	cfg.AddHostKey(s.opts.HostKey)
	for _, k := range s.opts.ExtraHostKeys {
		cfg.AddHostKey(k)
	}
	return cfg
}

func (s *Server) credentialsOK(user, password string) bool {
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.User)) == 1
	pwOK := subtle.ConstantTimeCompare([]byte(password), []byte(s.opts.Password)) == 1
	return userOK && pwOK
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		raw, err := s.ln.Accept()
		if err != nil {
			return
		}
		nc := gatedConn{Conn: raw, g: s.gate}
		if !s.track(nc) {
			nc.Close()
			return
		}
		s.wg.Add(1)
		go s.handleConn(nc)
	}
}

func (s *Server) handleConn(nc net.Conn) {
	defer s.wg.Done()
	defer s.untrack(nc)
	sc, chans, reqs, err := gossh.NewServerConn(nc, s.cfg)
	if err != nil {
		nc.Close()
		return
	}
	defer sc.Close()
	s.wg.Add(1)
	go s.globalRequests(reqs)
	var open atomic.Int32
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(gossh.UnknownChannelType, "only session channels")
			continue
		}
		if max := s.opts.MaxSessions; max > 0 && int(open.Load()) >= max {
			s.mu.Lock()
			s.refusedSessions++
			s.mu.Unlock()
			_ = nch.Reject(gossh.Prohibited, "open failed")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		open.Add(1)
		s.wg.Add(1)
		go func() {
			defer open.Add(-1)
			s.session(ch, creqs)
		}()
	}
}

// globalRequests counts keepalives and answers every request with a
// refusal, which is all a keepalive needs.
func (s *Server) globalRequests(reqs <-chan *gossh.Request) {
	defer s.wg.Done()
	for req := range reqs {
		if req.Type == "keepalive@openssh.com" {
			s.mu.Lock()
			s.keepAlives++
			s.mu.Unlock()
		}
		if req.WantReply {
			_ = req.Reply(false, nil)
		}
	}
}

func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[nc] = struct{}{}
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

// Addr returns the address the server listens on, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// HostKey returns the server's public host key.
func (s *Server) HostKey() gossh.PublicKey { return s.opts.HostKey.PublicKey() }

// User returns the login name the server accepts.
func (s *Server) User() string { return s.opts.User }

// SetHandler replaces the handler for the commands that follow.
func (s *Server) SetHandler(h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		h = notFound
	}
	s.handler = h
}

// Commands returns the command lines received so far, in order.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands)
}

// Logins returns the successful logins so far, in order.
func (s *Server) Logins() []Login {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.logins)
}

// KeepAlives returns how many keepalive requests the server received.
func (s *Server) KeepAlives() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keepAlives
}

// RefusedSessions returns how many session channels MaxSessions refused.
func (s *Server) RefusedSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusedSessions
}

// Close stops the server: it closes the listener and every connection,
// cancels running handlers and waits for them to return.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]net.Conn, 0, len(s.conns))
	for nc := range s.conns {
		conns = append(conns, nc)
	}
	s.mu.Unlock()
	s.cancel()
	s.gate.set(false, true)
	err := s.ln.Close()
	for _, nc := range conns {
		nc.Close()
	}
	s.wg.Wait()
	return err
}
