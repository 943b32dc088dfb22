package ssh_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	gossh "golang.org/x/crypto/ssh"
)

const password = "s3cret-Pa55"

// dial connects to srv with cfg and closes the client when the test ends.
func dial(t *testing.T, cfg ssh.Config) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRunThroughEveryLoginMethod(t *testing.T) {
	keyFile, pub := sshtest.NewClientKey(t)
	tests := []struct {
		name   string
		opts   sshtest.Options
		config func(ssh.Config) ssh.Config
		method string
	}{
		{"password", sshtest.Options{Password: password}, nil, "password"},
		{"keyboard-interactive only, as ESXi", sshtest.Options{Password: password, KeyboardInteractiveOnly: true}, nil, "keyboard-interactive"},
		{"public key", sshtest.Options{AuthorizedKeys: []gossh.PublicKey{pub}}, func(c ssh.Config) ssh.Config {
			c.Password, c.KeyFile = "", keyFile
			return c
		}, "publickey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Handler = sshtest.Func(func(cmd string) (string, string, int) {
				return "Retrieved runtime info\nPowered on\n", "", 0
			})
			srv := sshtest.New(t, tt.opts)
			cfg := srv.ClientConfig(t)
			if tt.config != nil {
				cfg = tt.config(cfg)
			}
			c := dial(t, cfg)
			cmd, err := ssh.PowerGetState("42")
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Run(context.Background(), cmd)
			if err != nil {
				t.Fatal(err)
			}
			state, err := ssh.ParsePowerState(res.Stdout)
			if err != nil || state != ssh.PoweredOn {
				t.Errorf("state = %q, %v", state, err)
			}
			if got := srv.Commands(); len(got) != 1 || got[0] != "vim-cmd vmsvc/power.getstate 42" {
				t.Errorf("server received %q", got)
			}
			if got := srv.Logins(); len(got) != 1 || got[0] != (sshtest.Login{User: "root", Method: tt.method}) {
				t.Errorf("logins = %+v, want one by %s", got, tt.method)
			}
			if c.Addr() != srv.Addr() || c.RecordedHostKey() {
				t.Errorf("Addr = %q, RecordedHostKey = %v", c.Addr(), c.RecordedHostKey())
			}
		})
	}
}

func TestRunSendsQuotedArgumentsVerbatim(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	c := dial(t, srv.ClientConfig(t))
	cmd, err := ssh.RegisterVM("[SSD pool] it's $(reboot)/`id`.vmx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(); len(got) != 1 || got[0] != cmd.String() {
		t.Errorf("server received %q, want %q", got, cmd.String())
	}
}

func TestRunExitStatusAndStreams(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.Responses{
		"vim-cmd vmsvc/destroy 5": {Stdout: "out\n", Stderr: "(vim.fault.InvalidPowerState) {\n   msg = \"on\"\n}\n", Exit: 1},
	}})
	c := dial(t, srv.ClientConfig(t))
	cmd, _ := ssh.Destroy("5")
	res, err := c.Run(context.Background(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stdout != "out\n" || !strings.Contains(res.Stderr, "InvalidPowerState") || res.ExitStatus != 1 {
		t.Errorf("result = %+v", res)
	}
	if !errors.Is(res.Err(), ssh.ErrInvalidPowerState) {
		t.Errorf("Err() = %v", res.Err())
	}
	cmd, _ = ssh.Destroy("6")
	res, err = c.Run(context.Background(), cmd)
	if err != nil || res.ExitStatus != 127 || !errors.Is(res.Err(), ssh.ErrCommandFailed) {
		t.Errorf("unknown command: %+v, %v", res, err)
	}
}

func TestRunConcurrently(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.Func(func(cmd string) (string, string, int) {
		return cmd + "\n", "", len(cmd) % 7
	})})
	c := dial(t, srv.ClientConfig(t))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			cmd := ssh.Command{Argv: []string{"echo", fmt.Sprint("run ", i)}}
			res, err := c.Run(context.Background(), cmd)
			switch {
			case err != nil:
				errs <- err
			case res.Stdout != cmd.String()+"\n" || res.ExitStatus != len(cmd.String())%7:
				errs <- fmt.Errorf("run %d: %+v", i, res)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

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

func TestRunRefusesBadInputAndClosedClient(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	c := dial(t, srv.ClientConfig(t))
	if _, err := c.Run(context.Background(), ssh.Command{Argv: []string{"echo", "a\x00b"}}); !errors.Is(err, ssh.ErrInvalidArgument) {
		t.Errorf("NUL: %v", err)
	}
	if _, err := c.Run(context.Background(), ssh.Command{}); !errors.Is(err, ssh.ErrInvalidArgument) {
		t.Errorf("empty: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Run(context.Background(), ssh.GetAllVMs()); !errors.Is(err, ssh.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if len(srv.Commands()) != 0 {
		t.Errorf("server received %q", srv.Commands())
	}
}

func TestRunCapsOutput(t *testing.T) {
	defer ssh.SetMaxOutput(1000)()
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.Func(func(string) (string, string, int) {
		return strings.Repeat("x", 5000), "", 0
	})})
	c := dial(t, srv.ClientConfig(t))
	res, err := c.Run(context.Background(), ssh.GetAllVMs())
	if !errors.Is(err, ssh.ErrUnexpectedOutput) || len(res.Stdout) != 1000 {
		t.Errorf("err = %v, kept %d bytes", err, len(res.Stdout))
	}
}
