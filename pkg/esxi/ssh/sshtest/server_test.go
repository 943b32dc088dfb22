package sshtest_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	gossh "golang.org/x/crypto/ssh"
)

const password = "pw-test-1"

func connect(t *testing.T, srv *sshtest.Server) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial(context.Background(), srv.ClientConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func run(t *testing.T, c *ssh.Client, argv ...string) ssh.Result {
	t.Helper()
	res, err := c.Run(context.Background(), ssh.Command{Argv: argv})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestResponsesAndSetHandler(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.Responses{
		"vim-cmd vmsvc/getallvms": {Stdout: "Vmid   Name   File   Guest OS   Version   Annotation\n", Stderr: "w\n", Exit: 0},
	}})
	c := connect(t, srv)
	if res := run(t, c, "vim-cmd", "vmsvc/getallvms"); res.ExitStatus != 0 || res.Stderr != "w\n" || res.Stdout == "" {
		t.Errorf("known command: %+v", res)
	}
	if res := run(t, c, "rm", "-rf", "/"); res.ExitStatus != 127 || res.Stderr != "sh: rm -rf /: not found\n" {
		t.Errorf("unknown command: %+v", res)
	}
	srv.SetHandler(sshtest.Func(func(cmd string) (string, string, int) { return "new " + cmd, "", 300 }))
	if res := run(t, c, "x"); res.Stdout != "new x" || res.ExitStatus != 255 {
		t.Errorf("after SetHandler: %+v", res)
	}
	srv.SetHandler(nil)
	if res := run(t, c, "x"); res.ExitStatus != 127 {
		t.Errorf("nil handler: %+v", res)
	}
	want := []string{"vim-cmd vmsvc/getallvms", "rm -rf /", "x", "x"}
	if got := srv.Commands(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Commands = %q, want %q", got, want)
	}
	if srv.User() != "root" {
		t.Errorf("User = %q", srv.User())
	}
}

func TestStartWithoutHandler(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	if res := run(t, connect(t, srv), "true"); res.ExitStatus != 127 {
		t.Errorf("%+v", res)
	}
}

// TestRefusesWhatAShellSessionDoesNotNeed: only exec in session channels.
func TestRefusesWhatAShellSessionDoesNotNeed(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.Func(func(string) (string, string, int) {
		return "ok", "", 0
	})})
	cfg := &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{gossh.Password(password)},
		HostKeyCallback: gossh.FixedHostKey(srv.HostKey()), Timeout: 5 * time.Second}
	client, err := gossh.Dial("tcp", srv.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, _, err := client.OpenChannel("direct-tcpip", nil); err == nil {
		t.Error("a direct-tcpip channel was accepted")
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err == nil {
		t.Error("a pty was granted")
	}
	if err := sess.Shell(); err == nil {
		t.Error("a shell was started")
	}
	out, err := sess.Output("anything")
	if err != nil || string(out) != "ok" {
		t.Errorf("exec after refusals: %q, %v", out, err)
	}
}

func TestPartitionAndHeal(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password, Handler: sshtest.Func(func(string) (string, string, int) {
		return "done", "", 0
	})})
	cfg := srv.ClientConfig(t)
	cfg.KeepAlive = -1
	c, err := ssh.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv.Partition()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.Run(ctx, ssh.Command{Argv: []string{"x"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("partitioned: %v", err)
	}
	srv.Heal()
	if res := run(t, c, "y"); res.Stdout != "done" {
		t.Errorf("healed: %+v", res)
	}
}

func TestCloseStopsRunningHandlers(t *testing.T) {
	started := make(chan struct{})
	stopped := make(chan struct{})
	srv, err := sshtest.Start(sshtest.Options{Password: password, Handler: sshtest.HandlerFunc(
		func(ctx context.Context, _ string, _, _ io.Writer) int {
			close(started)
			<-ctx.Done()
			close(stopped)
			return 1
		})})
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, srv)
	succeeded := make(chan bool, 1)
	go func() {
		res, err := c.Run(context.Background(), ssh.Command{Argv: []string{"hang"}})
		succeeded <- err == nil && res.ExitStatus == 0
	}()
	<-started
	srv.Partition() // Close must also get through a partition
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	<-stopped
	if <-succeeded {
		t.Error("Run succeeded on a closed server")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestStartOnBusyAddress(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{})
	if _, err := sshtest.Start(sshtest.Options{Addr: srv.Addr()}); err == nil {
		t.Error("two servers on one address")
	}
}

func TestConfigWithKnownHosts(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	if _, err := srv.ConfigWithKnownHosts(filepath.Join(t.TempDir(), "missing", "kh")); err == nil {
		t.Error("wrote into a missing directory")
	}
	cfg, err := srv.ConfigWithKnownHosts(filepath.Join(t.TempDir(), "kh"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
