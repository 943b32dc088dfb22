package ssh_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func ecdsaSigner(t *testing.T) gossh.Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestUnknownHostKeyIsRefused(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	cfg := srv.ClientConfig(t)
	cfg.KnownHostsFile = filepath.Join(t.TempDir(), "missing", "known_hosts")
	_, err := ssh.Dial(context.Background(), cfg)
	if !errors.Is(err, ssh.ErrUnknownHostKey) {
		t.Fatalf("err = %v, want ErrUnknownHostKey", err)
	}
	var hkErr *ssh.HostKeyError
	if !errors.As(err, &hkErr) {
		t.Fatalf("err is %T", err)
	}
	fp := gossh.FingerprintSHA256(srv.HostKey())
	if hkErr.Fingerprint != fp || hkErr.KeyType != "ssh-ed25519" || hkErr.Host != knownhosts.Normalize(srv.Addr()) {
		t.Errorf("HostKeyError = %+v", hkErr)
	}
	for _, want := range []string{fp, "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub", "--accept-new-host-key", cfg.KnownHostsFile} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if _, statErr := os.Stat(cfg.KnownHostsFile); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("known_hosts was created: %v", statErr)
	}
	if len(srv.Logins()) != 0 {
		t.Error("logged in to an unverified host")
	}
}

func TestUnknownHostInExistingFile(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	other := sshtest.New(t, sshtest.Options{})
	cfg := srv.ClientConfig(t)
	if err := other.WriteKnownHosts(cfg.KnownHostsFile); err != nil {
		t.Fatal(err)
	}
	if _, err := ssh.Dial(context.Background(), cfg); !errors.Is(err, ssh.ErrUnknownHostKey) {
		t.Fatalf("err = %v, want ErrUnknownHostKey", err)
	}
}

func TestAcceptNewHostKeyRecordsIt(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	cfg := srv.ClientConfig(t)
	dir := filepath.Join(t.TempDir(), "ssh")
	cfg.KnownHostsFile = filepath.Join(dir, "known_hosts")
	cfg.AcceptNewHostKey = true
	c := dial(t, cfg)
	if !c.RecordedHostKey() {
		t.Error("RecordedHostKey = false")
	}
	if got, want := readFile(t, cfg.KnownHostsFile), srv.KnownHostsLine()+"\n"; got != want {
		t.Errorf("known_hosts = %q, want %q", got, want)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, cfg.KnownHostsFile: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode(), err, mode)
		}
	}
	// Known now: a second dial neither needs nor records anything.
	cfg.AcceptNewHostKey = false
	c2 := dial(t, cfg)
	if c2.RecordedHostKey() {
		t.Error("recorded a known key again")
	}
	if got := strings.Count(readFile(t, cfg.KnownHostsFile), "\n"); got != 1 {
		t.Errorf("known_hosts has %d lines", got)
	}
}

func TestAcceptNewHostKeyAppends(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	other := sshtest.New(t, sshtest.Options{Password: "another one"})
	cfg := srv.ClientConfig(t)
	existing := "# my hosts\n" + other.KnownHostsLine() // no final newline
	if err := os.WriteFile(cfg.KnownHostsFile, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.AcceptNewHostKey = true
	dial(t, cfg)
	want := existing + "\n" + srv.KnownHostsLine() + "\n"
	if got := readFile(t, cfg.KnownHostsFile); got != want {
		t.Errorf("known_hosts = %q, want %q", got, want)
	}
	// The other host is still trusted.
	ocfg := cfg
	ocfg.Host, ocfg.AcceptNewHostKey = other.Addr(), false
	if _, err := ssh.Dial(context.Background(), ocfg); !errors.Is(err, ssh.ErrAuthFailed) {
		t.Errorf("other host: %v, want ErrAuthFailed (its key is trusted, its password differs)", err)
	}
}

func TestChangedHostKeyIsRefused(t *testing.T) {
	first := sshtest.New(t, sshtest.Options{Password: password})
	cfg := first.ClientConfig(t)
	addr := first.Addr()
	before := readFile(t, cfg.KnownHostsFile)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// The same address answers with another key: a reinstalled host or a
	// machine in the middle.
	second, err := sshtest.Start(sshtest.Options{Addr: addr, Password: password})
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	t.Cleanup(func() { second.Close() })
	for _, accept := range []bool{false, true} {
		cfg.AcceptNewHostKey = accept
		_, err := ssh.Dial(context.Background(), cfg)
		if !errors.Is(err, ssh.ErrHostKeyMismatch) {
			t.Fatalf("accept=%v: err = %v, want ErrHostKeyMismatch", accept, err)
		}
		for _, want := range []string{gossh.FingerprintSHA256(second.HostKey()), gossh.FingerprintSHA256(first.HostKey()), "ssh-keygen -R"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message %q lacks %q", err, want)
			}
		}
	}
	if after := readFile(t, cfg.KnownHostsFile); after != before {
		t.Errorf("known_hosts changed:\n%s", after)
	}
	if len(second.Logins()) != 0 {
		t.Error("logged in despite the changed key")
	}
}

func TestRevokedHostKeyIsRefused(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	cfg := srv.ClientConfig(t)
	revoked := "@revoked * " + strings.TrimSpace(string(gossh.MarshalAuthorizedKey(srv.HostKey()))) + "\n"
	if err := os.WriteFile(cfg.KnownHostsFile, []byte(revoked+srv.KnownHostsLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.AcceptNewHostKey = true
	if _, err := ssh.Dial(context.Background(), cfg); !errors.Is(err, ssh.ErrHostKeyRevoked) {
		t.Fatalf("err = %v, want ErrHostKeyRevoked", err)
	}
}

// TestKnownKeyTypeIsPreferred: a host with several keys must present the
// one known_hosts records, as OpenSSH arranges, not the client's favourite.
func TestKnownKeyTypeIsPreferred(t *testing.T) {
	ecKey := ecdsaSigner(t)
	srv := sshtest.New(t, sshtest.Options{Password: password, ExtraHostKeys: []gossh.Signer{ecKey}})
	cfg := srv.ClientConfig(t)
	line := knownhosts.Line([]string{srv.Addr()}, ecKey.PublicKey())
	if err := os.WriteFile(cfg.KnownHostsFile, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dial(t, cfg)
}

func TestKnownKeyTypeNoLongerOffered(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	cfg := srv.ClientConfig(t)
	line := knownhosts.Line([]string{srv.Addr()}, ecdsaSigner(t).PublicKey())
	if err := os.WriteFile(cfg.KnownHostsFile, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.AcceptNewHostKey = true
	if _, err := ssh.Dial(context.Background(), cfg); !errors.Is(err, ssh.ErrHostKeyMismatch) {
		t.Fatalf("err = %v, want ErrHostKeyMismatch", err)
	}
}

func TestBrokenKnownHostsFile(t *testing.T) {
	srv := sshtest.New(t, sshtest.Options{Password: password})
	cfg := srv.ClientConfig(t)
	if err := os.WriteFile(cfg.KnownHostsFile, []byte("this is not a known_hosts line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ssh.Dial(context.Background(), cfg)
	if err == nil || errors.Is(err, ssh.ErrUnknownHostKey) {
		t.Fatalf("err = %v, want a read error", err)
	}
}
