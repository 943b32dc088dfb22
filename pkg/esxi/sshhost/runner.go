package sshhost

import (
	"context"
	"errors"
	"sync"

	"github.com/ceso/ceso/pkg/esxi/ssh"
)

// Runner runs one command on the host. *ssh.Client is one; tests use
// fakes.
type Runner interface {
	Run(ctx context.Context, cmd ssh.Command) (ssh.Result, error)
}

// RunCloser is a Runner holding a connection.
type RunCloser interface {
	Runner
	Close() error
}

// Lazy is a Runner that connects when the first command runs, so that an
// operation the API can do alone never opens an SSH connection. A failed
// or lost connection is not kept: the next command connects again. It is
// safe for concurrent use, and one Lazy can serve many Hosts.
type Lazy struct {
	dial func(ctx context.Context) (RunCloser, error)

	mu     sync.Mutex
	conn   RunCloser
	closed bool
}

var _ RunCloser = (*Lazy)(nil)

// NewLazy returns a Runner that calls dial once a command needs it.
func NewLazy(dial func(ctx context.Context) (RunCloser, error)) *Lazy {
	return &Lazy{dial: dial}
}

// Run connects if needed, then runs cmd. When the connection turns out
// closed (lost, or dropped by the host), it is let go, and the next
// command connects again.
func (l *Lazy) Run(ctx context.Context, cmd ssh.Command) (ssh.Result, error) {
	conn, err := l.connect(ctx)
	if err != nil {
		return ssh.Result{}, err
	}
	res, err := conn.Run(ctx, cmd)
	if errors.Is(err, ssh.ErrClosed) {
		l.drop(conn)
	}
	return res, err
}

// drop lets a dead connection go.
func (l *Lazy) drop(conn RunCloser) {
	l.mu.Lock()
	if l.conn == conn {
		l.conn = nil
	}
	l.mu.Unlock()
	_ = conn.Close()
}

func (l *Lazy) connect(ctx context.Context) (RunCloser, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, ssh.ErrClosed
	}
	if l.conn != nil {
		return l.conn, nil
	}
	conn, err := l.dial(ctx)
	if err != nil {
		return nil, classifyDial(err)
	}
	l.conn = conn
	return conn, nil
}

// Connected reports whether the connection was made.
func (l *Lazy) Connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn != nil
}

// Close closes the connection, if one was made; later commands fail with
// ssh.ErrClosed.
func (l *Lazy) Close() error {
	l.mu.Lock()
	conn := l.conn
	l.conn, l.closed = nil, true
	l.mu.Unlock()
	if conn == nil {
		return nil
	}
	return conn.Close()
}
