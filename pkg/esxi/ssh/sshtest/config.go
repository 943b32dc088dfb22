package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// New starts a server for a test and closes it when the test ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := Start(opts)
	if err != nil {
		tb.Fatalf("starting the ssh test server: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// KnownHostsLine returns the known_hosts line that trusts the server.
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{s.Addr()}, s.HostKey())
}

// WriteKnownHosts writes a known_hosts file (0600) that trusts the server.
func (s *Server) WriteKnownHosts(path string) error {
	if err := os.WriteFile(path, []byte(s.KnownHostsLine()+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing known_hosts: %w", err)
	}
	return nil
}

// ClientConfig returns what a client needs to log in to the server with the
// password: its address, user and password, and a known_hosts file in a
// temporary directory of the test that already trusts it.
func (s *Server) ClientConfig(tb testing.TB) ssh.Config {
	tb.Helper()
	cfg, err := s.ConfigWithKnownHosts(filepath.Join(tb.TempDir(), "known_hosts"))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// ConfigWithKnownHosts is ClientConfig outside a test: it writes a
// known_hosts file trusting the server at knownHostsPath.
func (s *Server) ConfigWithKnownHosts(knownHostsPath string) (ssh.Config, error) {
	if err := s.WriteKnownHosts(knownHostsPath); err != nil {
		return ssh.Config{}, err
	}
	return ssh.Config{
		Host:           s.Addr(),
		User:           s.opts.User,
		Password:       s.opts.Password,
		KnownHostsFile: knownHostsPath,
		Timeout:        10 * time.Second,
	}, nil
}

// NewClientKey writes a new ed25519 private key in OpenSSH format to a
// temporary file and returns its path and public key, to be put in
// Options.AuthorizedKeys.
func NewClientKey(tb testing.TB) (keyFile string, pub gossh.PublicKey) {
	tb.Helper()
	edPub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "sshtest")
	if err != nil {
		tb.Fatal(err)
	}
	if pub, err = gossh.NewPublicKey(edPub); err != nil {
		tb.Fatal(err)
	}
	keyFile = filepath.Join(tb.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		tb.Fatal(err)
	}
	return keyFile, pub
}
