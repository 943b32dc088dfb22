package ssh_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

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

// BenchmarkRun measures one command's round trip on an open connection
// (a session per command, as on a real host).
func BenchmarkRun(b *testing.B) {
	srv := sshtest.New(b, sshtest.Options{Password: password, Handler: sshtest.Func(func(string) (string, string, int) {
		return "Retrieved runtime info\nPowered on\n", "", 0
	})})
	c, err := ssh.Dial(context.Background(), srv.ClientConfig(b))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cmd, _ := ssh.PowerGetState("1")
	for b.Loop() {
		if _, err := c.Run(context.Background(), cmd); err != nil {
			b.Fatal(err)
		}
	}
}
