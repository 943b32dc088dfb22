package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Run runs cmd on the host and returns its output and exit status. A
// command that ran and exited non-zero is not an error of Run: read
// Result.ExitStatus (or Result.Err, or a parser). Run fails when the command
// cannot be sent, the connection breaks, the output exceeds 16 MiB, or ctx
// ends; then the session is closed (and the connection too if the session
// does not close promptly) and the partial output is returned. The host may
// still finish a command whose session was closed.
func (c *Client) Run(ctx context.Context, cmd Command) (Result, error) {
	if err := cmd.validate(); err != nil {
		return Result{}, err
	}
	line := cmd.String()
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("running %s on %s: %w", clip(line), c.addr, err)
	}
	select {
	case <-c.done:
		return Result{}, fmt.Errorf("running %s on %s: %w", clip(line), c.addr, ErrClosed)
	default:
	}
	release, err := c.acquire(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("running %s on %s: waiting for a free session: %w", clip(line), c.addr, err)
	}
	defer release()
	stdout := &cappedBuffer{max: maxOutput}
	stderr := &cappedBuffer{max: maxOutput}
	start := time.Now()
	sess, err := c.startWhenFree(ctx, line, cmd.Stdin, stdout, stderr)
	if err != nil {
		return Result{}, fmt.Errorf("running %s on %s: %w", clip(line), c.addr, err)
	}
	defer sess.Close()
	waited := make(chan error, 1)
	go func() { waited <- sess.Wait() }()

	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		c.abandon(sess, waited)
		res := Result{Stdout: stdout.String(), Stderr: stderr.String(), ExitStatus: -1}
		return res, fmt.Errorf("running %s on %s: %w", clip(line), c.addr, ctx.Err())
	}
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *gossh.ExitError
	switch {
	case werr == nil:
	case errors.As(werr, &exitErr):
		res.ExitStatus = exitErr.ExitStatus()
	default:
		res.ExitStatus = -1
		return res, fmt.Errorf("running %s on %s: %w", clip(line), c.addr, errors.Join(ErrClosed, werr))
	}
	c.log.Debug().Str("host", c.addr).Str("command", line).Int("exit_status", res.ExitStatus).
		Dur("duration", time.Since(start)).Msg("ssh command")
	if stdout.over || stderr.over {
		return res, fmt.Errorf("running %s on %s: output exceeds %d bytes: %w", clip(line), c.addr, maxOutput, ErrUnexpectedOutput)
	}
	return res, nil
}

// acquire waits for one of the connection's sessions.
func (c *Client) acquire(ctx context.Context) (func(), error) {
	select {
	case c.sessions <- struct{}{}:
		return func() { <-c.sessions }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.done:
		return nil, ErrClosed
	}
}

// busyWait bounds the waits between tries of a session the host refused.
const (
	busyWaitMin = 20 * time.Millisecond
	busyWaitMax = time.Second
)

// startWhenFree starts the command, waiting and trying again while the
// host refuses to open a session because too many are open (its sshd's
// MaxSessions is below ours): a refused session is "busy", never a dead
// connection.
func (c *Client) startWhenFree(ctx context.Context, line string, stdin []byte, stdout, stderr io.Writer) (*gossh.Session, error) {
	wait := busyWaitMin
	for {
		sess, err := c.start(ctx, line, stdin, stdout, stderr)
		if !errors.Is(err, errBusy) {
			return sess, err
		}
		c.log.Debug().Str("host", c.addr).Dur("wait", wait).Msg("the host refused a session; waiting for one to end")
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.done:
			return nil, ErrClosed
		case <-time.After(wait):
		}
		wait = min(2*wait, busyWaitMax)
	}
}

// start opens a session and starts the command in it. Both wait for the
// host's answer, so they run aside: if ctx ends first, start returns at
// once, and the session, when it comes, is closed without running the
// command (or stopped, if it had started); a host that does not answer
// within cancelGrace has its connection closed.
func (c *Client) start(ctx context.Context, line string, stdin []byte, stdout, stderr io.Writer) (*gossh.Session, error) {
	var sess *gossh.Session
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		s, e := c.conn.NewSession()
		var refused *gossh.OpenChannelError
		switch {
		case errors.As(e, &refused) && (refused.Reason == gossh.Prohibited || refused.Reason == gossh.ResourceShortage):
			err = fmt.Errorf("%w (%v)", errBusy, e)
			return
		case e != nil:
			err = errors.Join(ErrClosed, e)
			return
		}
		if e := ctx.Err(); e != nil {
			s.Close()
			err = e
			return
		}
		s.Stdout, s.Stderr = stdout, stderr
		if stdin != nil {
			s.Stdin = bytes.NewReader(stdin)
		}
		if e := s.Start(line); e != nil {
			s.Close()
			if errors.Is(e, io.EOF) {
				e = errors.Join(ErrClosed, e)
			}
			err = e
			return
		}
		sess = s
	}()
	select {
	case <-done:
		return sess, err
	case <-ctx.Done():
	}
	go func() {
		select {
		case <-done:
		case <-time.After(cancelGrace):
			c.log.Debug().Str("host", c.addr).Msg("ssh session did not open; closing the connection")
			c.conn.Close()
			<-done
		}
		if sess != nil {
			_ = sess.Signal(gossh.SIGTERM)
			sess.Close()
		}
	}()
	return nil, ctx.Err()
}

// abandon asks the command of a cancelled session to stop (SIGTERM, which
// sshd forwards if it supports signals), closes the session and waits for
// its output copying to stop, closing the connection if that takes longer
// than cancelGrace.
func (c *Client) abandon(sess *gossh.Session, waited <-chan error) {
	_ = sess.Signal(gossh.SIGTERM)
	sess.Close()
	select {
	case <-waited:
		return
	case <-time.After(cancelGrace):
	}
	c.log.Debug().Str("host", c.addr).Msg("ssh session did not close; closing the connection")
	c.conn.Close()
	<-waited
}

// cappedBuffer keeps the first max bytes written to it and notes the rest.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	room := b.max - b.buf.Len()
	if len(p) > room {
		b.over = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) String() string { return b.buf.String() }
