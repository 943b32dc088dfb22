package ssh_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	gossh "golang.org/x/crypto/ssh"
)

func TestWrongPasswordKeepsItSecret(t *testing.T) {
	for _, kbdOnly := range []bool{false, true} {
		t.Run(fmt.Sprint("keyboard-interactive only ", kbdOnly), func(t *testing.T) {
			srv := sshtest.New(t, sshtest.Options{Password: password, KeyboardInteractiveOnly: kbdOnly})
			cfg := srv.ClientConfig(t)
			cfg.Password = "wrong-Secret-123"
			_, err := ssh.Dial(context.Background(), cfg)
			if !errors.Is(err, ssh.ErrAuthFailed) {
				t.Fatalf("err = %v, want ErrAuthFailed", err)
			}
			if strings.Contains(err.Error(), cfg.Password) {
				t.Errorf("the password is in the error: %v", err)
			}
		})
	}
}

func TestWrongUser(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	cfg := srv.ClientConfig(t)
	cfg.User = "admin"
	if _, err := ssh.Dial(context.Background(), cfg); !errors.Is(err, ssh.ErrAuthFailed) {
		t.Fatalf("err = %v, want ErrAuthFailed", err)
	}
}

func TestKeyNotAuthorised(t *testing.T) {
	_, pub := sshtest.NewClientKey(t)
	otherKey, _ := sshtest.NewClientKey(t)
	srv := sshtest.New(t, sshtest.Options{AuthorizedKeys: []gossh.PublicKey{pub}})
	cfg := srv.ClientConfig(t)
	cfg.KeyFile = otherKey
	if _, err := ssh.Dial(context.Background(), cfg); !errors.Is(err, ssh.ErrAuthFailed) {
		t.Fatalf("err = %v, want ErrAuthFailed", err)
	}
}

// TestEncryptedKey uses a throwaway key made for this test with
// "ssh-keygen -t ed25519 -a 1" (one KDF round, so that decrypting it is
// quick); its passphrase is in its comment.
func TestEncryptedKey(t *testing.T) {
	const passphrase = "key-Passphrase-9"
	keyFile := filepath.Join("testdata", "keys", "id_ed25519_encrypted")
	pubText, err := os.ReadFile(keyFile + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := gossh.ParseAuthorizedKey(pubText)
	if err != nil {
		t.Fatal(err)
	}
	srv := sshtest.New(t, sshtest.Options{AuthorizedKeys: []gossh.PublicKey{pub}})
	cfg := srv.ClientConfig(t)
	cfg.KeyFile = keyFile

	_, err = ssh.Dial(context.Background(), cfg)
	if !errors.Is(err, ssh.ErrInvalidConfig) || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("no passphrase: %v", err)
	}
	cfg.KeyPassphrase = "wrong-Phrase"
	_, err = ssh.Dial(context.Background(), cfg)
	if !errors.Is(err, ssh.ErrInvalidConfig) || strings.Contains(err.Error(), cfg.KeyPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	cfg.KeyPassphrase = passphrase
	dial(t, cfg)
	if got := srv.Logins(); len(got) != 1 || got[0].Method != "publickey" {
		t.Errorf("logins = %+v", got)
	}
}

func TestDialRefusesBadConfig(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	good := srv.ClientConfig(t)
	garbage := filepath.Join(t.TempDir(), "garbage")
	if err := os.WriteFile(garbage, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*ssh.Config)
	}{
		{"no host", func(c *ssh.Config) { c.Host = "" }},
		{"empty port", func(c *ssh.Config) { c.Host = "h:" }},
		{"blank in host", func(c *ssh.Config) { c.Host = "a b" }},
		{"no user", func(c *ssh.Config) { c.User = "" }},
		{"no credentials", func(c *ssh.Config) { c.Password = "" }},
		{"missing key file", func(c *ssh.Config) { c.KeyFile = filepath.Join(t.TempDir(), "none") }},
		{"garbage key file", func(c *ssh.Config) { c.KeyFile = garbage }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := ssh.Dial(context.Background(), cfg)
			if err == nil {
				t.Fatal("Dial succeeded")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the password is in the error: %v", err)
			}
		})
	}
	if len(srv.Logins()) != 0 {
		t.Error("a bad config logged in")
	}
}

func TestConfigPrintsNoSecret(t *testing.T) {
	cfg := ssh.Config{Host: "esxi1", User: "root", Password: password, KeyPassphrase: "pp-secret"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, cfg)
		if strings.Contains(out, password) || strings.Contains(out, "pp-secret") {
			t.Errorf("%s prints a secret: %s", verb, out)
		}
		if !strings.Contains(out, "root@esxi1") {
			t.Errorf("%s = %q", verb, out)
		}
	}
}

// TestDialTimesOut: a host that accepts the connection but never speaks SSH
// must not hang Dial.
func TestDialTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cfg := ssh.Config{Host: ln.Addr().String(), User: "root", Password: password,
		KnownHostsFile: filepath.Join(t.TempDir(), "known_hosts"), Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err = ssh.Dial(context.Background(), cfg)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
	cfg.Timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = ssh.Dial(ctx, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want Canceled", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
}

func TestDialConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := ssh.Config{Host: addr, User: "root", Password: password, KnownHostsFile: filepath.Join(t.TempDir(), "kh")}
	_, err = ssh.Dial(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("err = %v", err)
	}
}
