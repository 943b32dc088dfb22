package sshhost

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
)

type closingRunner struct {
	fakeRunner
	closed atomic.Int32
}

func (c *closingRunner) Close() error { c.closed.Add(1); return nil }

func TestLazyDialsOnceWhenNeeded(t *testing.T) {
	var dials atomic.Int32
	conn := &closingRunner{}
	l := NewLazy(func(context.Context) (RunCloser, error) { dials.Add(1); return conn, nil })
	if l.Connected() || dials.Load() != 0 {
		t.Fatal("dialled before any command")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := l.Run(context.Background(), ssh.GetAllVMs()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if dials.Load() != 1 || !l.Connected() || len(conn.ran()) != 8 {
		t.Fatalf("%d dials, %d commands", dials.Load(), len(conn.ran()))
	}
	if err := l.Close(); err != nil || conn.closed.Load() != 1 {
		t.Fatalf("close: %v, %d", err, conn.closed.Load())
	}
	if _, err := l.Run(context.Background(), ssh.GetAllVMs()); !errors.Is(err, ssh.ErrClosed) {
		t.Fatalf("run after close: %v", err)
	}
	if err := NewLazy(nil).Close(); err != nil {
		t.Fatalf("close of an unused Lazy: %v", err)
	}
}

func TestLazyRetriesAFailedDial(t *testing.T) {
	n := 0
	l := NewLazy(func(context.Context) (RunCloser, error) {
		n++
		if n == 1 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		return &closingRunner{}, nil
	})
	_, err := l.Run(context.Background(), ssh.GetAllVMs())
	if !errors.Is(err, ErrSSHUnreachable) || errkind.Of(err) != errkind.Connection {
		t.Fatalf("first: %v", err)
	}
	if _, err := l.Run(context.Background(), ssh.GetAllVMs()); err != nil {
		t.Fatalf("second: %v", err)
	}
}

// TestDialErrorsSayWhatToDo dials the in-process SSH server the way a
// command does and checks each refusal's error.
func TestDialErrorsSayWhatToDo(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: "right"})
	good := srv.ClientConfig(t)
	dial := func(cfg ssh.Config) error {
		l := NewLazy(func(ctx context.Context) (RunCloser, error) { return ssh.Dial(ctx, cfg) })
		defer l.Close()
		_, err := l.Run(context.Background(), ssh.GetAllVMs())
		return err
	}
	unknown := good
	unknown.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
	wrongPassword := good
	wrongPassword.Password = "wrong"
	noCredential := good
	noCredential.Password = ""
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()
	nobody := good
	nobody.Host, nobody.Timeout = closedAddr, 2*time.Second
	tests := []struct {
		name string
		cfg  ssh.Config
		want error
		kind errkind.Kind
	}{
		{"unknown host key", unknown, ErrHostKey, errkind.Connection},
		{"wrong password", wrongPassword, ErrSSHLogin, errkind.Auth},
		{"no credential", noCredential, ErrSSHLogin, errkind.Auth},
		{"nothing listening", nobody, ErrSSHUnreachable, errkind.Connection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dial(tt.cfg)
			if !errors.Is(err, tt.want) || errkind.Of(err) != tt.kind {
				t.Fatalf("err = %v (kind %v), want %v", err, errkind.Of(err), tt.want)
			}
		})
	}
	if err := dial(good); err != nil {
		t.Fatalf("good login: %v", err)
	}
}

func TestLazyReconnectsAfterALostConnection(t *testing.T) {
	var conns []*closingRunner
	l := NewLazy(func(context.Context) (RunCloser, error) {
		c := &closingRunner{}
		if len(conns) == 0 {
			c.answer = func([]string) (ssh.Result, error) { return ssh.Result{}, ssh.ErrClosed }
		}
		conns = append(conns, c)
		return c, nil
	})
	if _, err := l.Run(context.Background(), ssh.GetAllVMs()); !errors.Is(err, ssh.ErrClosed) {
		t.Fatalf("first: %v", err)
	}
	if conns[0].closed.Load() != 1 || l.Connected() {
		t.Fatal("the dead connection was kept")
	}
	if _, err := l.Run(context.Background(), ssh.GetAllVMs()); err != nil || len(conns) != 2 {
		t.Fatalf("second: %v, %d connections", err, len(conns))
	}
}
