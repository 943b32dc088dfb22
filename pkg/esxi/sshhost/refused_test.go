package sshhost

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// closedPort returns an address nothing listens on: a dial is refused.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestCreateWithSSHOff creates a VM on a free-licence host whose SSH
// service is off (its port refuses connections). The refused dial never
// reached the host: the create fails at its first write, says nothing was
// changed, and has nothing to undo, so it neither retries an undo for
// the rollback's whole budget nor repeats its note.
func TestCreateWithSSHOff(t *testing.T) {
	_, c := startSim(t, esxisim.Options{FreeLicence: true})
	addr := closedPort(t)
	known := filepath.Join(t.TempDir(), "known_hosts")
	dials := 0
	lazy := NewLazy(func(ctx context.Context) (RunCloser, error) {
		dials++
		conn, err := ssh.Dial(ctx, ssh.Config{Host: addr, User: "root", Password: "secret", KnownHostsFile: known})
		if err != nil {
			return nil, err
		}
		return conn, nil
	})
	host := NewFallback(vm.NewAPIHost(c), New(lazy, Options{}), nil)
	notes, _, err := runOp(t, func(ctx context.Context) error {
		_, err := vm.Create(ctx, c, vm.CreateSpec{Name: "web01", Template: esxisim.TemplateName, Host: host, RollbackTimeout: 10 * time.Second})
		return err
	})
	if !errors.Is(err, ErrSSHUnreachable) || errors.Is(err, vm.ErrLeftovers) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("err = %v", err)
	}
	if dials != 1 || len(notes) != 1 {
		t.Fatalf("%d dials, notes:\n%s", dials, strings.Join(notes, "\n"))
	}
}
