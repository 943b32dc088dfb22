package ssh_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
)

func TestRunHonoursContext(t *testing.T) {
	cancelled := make(chan struct{})
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.HandlerFunc(
		func(ctx context.Context, cmd string, stdout, _ io.Writer) int {
			if cmd == "echo fast" {
				io.WriteString(stdout, "fast\n")
				return 0
			}
			io.WriteString(stdout, "Clone: 10% done.")
			<-ctx.Done()
			close(cancelled)
			return 143
		})})
	c := dial(t, srv.ClientConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := c.Run(ctx, ssh.Command{Argv: []string{"sleep", "3600"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Run returned after %v", took)
	}
	if res.Stdout != "Clone: 10% done." {
		t.Errorf("partial output = %q", res.Stdout)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the command was not stopped on the host")
	}
	// The connection is still usable.
	res, err = c.Run(context.Background(), ssh.Command{Argv: []string{"echo", "fast"}})
	if err != nil || res.Stdout != "fast\n" {
		t.Errorf("after cancel: %+v, %v", res, err)
	}
	// A context already done sends nothing.
	done, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if _, err := c.Run(done, ssh.Command{Argv: []string{"echo", "fast"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("done context: %v", err)
	}
	if n := len(srv.Commands()); n != 2 {
		t.Errorf("server received %d commands, want 2", n)
	}
}

func TestRunClosesConnectionWhenSessionHangs(t *testing.T) {
	started := make(chan struct{})
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.HandlerFunc(
		func(ctx context.Context, _ string, _, _ io.Writer) int {
			close(started)
			<-ctx.Done()
			return 0
		})})
	cfg := srv.ClientConfig(t)
	cfg.KeepAlive = -1
	c := dial(t, cfg)
	go func() {
		<-started
		srv.Partition() // the host stops answering: closing the session hangs
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Run(ctx, ssh.Command{Argv: []string{"hang"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Run returned after %v", took)
	}
	if _, err := c.Run(context.Background(), ssh.Command{Argv: []string{"true"}}); !errors.Is(err, ssh.ErrClosed) {
		t.Errorf("after a hung session: %v, want ErrClosed", err)
	}
}

// TestRunHonoursContextBeforeTheSessionOpens: opening a session waits for
// the host; a host that does not answer must not hold Run past its context,
// and a session that opens too late must not run the command.
func TestRunHonoursContextBeforeTheSessionOpens(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.Func(func(string) (string, string, int) {
		return "ran", "", 0
	})})
	cfg := srv.ClientConfig(t)
	cfg.KeepAlive = -1
	c := dial(t, cfg)

	srv.Partition()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Run(ctx, ssh.Command{Argv: []string{"late"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	srv.Heal() // the session opens now, after the caller gave up
	res, err := c.Run(context.Background(), ssh.Command{Argv: []string{"next"}})
	if err != nil || res.Stdout != "ran" {
		t.Fatalf("after heal: %+v, %v", res, err)
	}
	if got := srv.Commands(); len(got) != 1 || got[0] != "next" {
		t.Errorf("server ran %q, want only next", got)
	}

	// A host that never answers costs the connection.
	srv.Partition()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if _, err := c.Run(ctx2, ssh.Command{Argv: []string{"lost"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	// This one waits for the session too, until the connection is closed.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel3()
	if _, err := c.Run(ctx3, ssh.Command{Argv: []string{"after"}}); !errors.Is(err, ssh.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

func TestKeepAliveDetectsDeadConnection(t *testing.T) {
	started := make(chan struct{})
	srv := sshtest.New(t, sshtest.Options{Password: password,
		Handler: sshtest.HandlerFunc(func(ctx context.Context, _ string, _, _ io.Writer) int {
			close(started)
			<-ctx.Done()
			return 0
		})})
	cfg := srv.ClientConfig(t)
	cfg.KeepAlive = 50 * time.Millisecond
	c := dial(t, cfg)
	go func() {
		<-started
		srv.Partition()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Run(ctx, ssh.Command{Argv: []string{"vmkfstools"}})
	if !errors.Is(err, ssh.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
	if ctx.Err() != nil {
		t.Error("Run ended by its context, not by the keepalive")
	}
}

func TestKeepAliveKeepsLiveConnection(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.HandlerFunc(
		func(context.Context, string, io.Writer, io.Writer) int {
			time.Sleep(300 * time.Millisecond)
			return 0
		})})
	cfg := srv.ClientConfig(t)
	cfg.KeepAlive = 30 * time.Millisecond
	c := dial(t, cfg)
	if _, err := c.Run(context.Background(), ssh.Command{Argv: []string{"slow"}}); err != nil {
		t.Fatal(err)
	}
	if n := srv.KeepAlives(); n < 2 {
		t.Errorf("%d keepalives in 300ms at 30ms", n)
	}
}
