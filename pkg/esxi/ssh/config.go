package ssh

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	gossh "golang.org/x/crypto/ssh"
)

// Defaults for the zero values of Config.
const (
	DefaultPort      = "22"
	DefaultTimeout   = 30 * time.Second
	DefaultKeepAlive = 30 * time.Second
)

// Config says how to reach and trust a host.
type Config struct {
	// Host is "host" or "host:port" (port 22 by default); IPv6 addresses
	// may be bare or in brackets.
	Host string
	// User is the login name, usually root on ESXi.
	User string
	// Password is tried with both the "password" and the
	// "keyboard-interactive" methods: ESXi's sshd often offers only the
	// second for passwords.
	Password string
	// KeyFile is a private key in OpenSSH or PEM format, tried before the
	// password.
	KeyFile string
	// KeyPassphrase decrypts KeyFile if it is encrypted.
	KeyPassphrase string
	// KnownHostsFile lists the trusted host keys; ~/.ssh/known_hosts if
	// empty.
	KnownHostsFile string
	// AcceptNewHostKey records the host's key in KnownHostsFile if the file
	// lists no key for the host. A changed key is refused all the same.
	AcceptNewHostKey bool
	// Timeout bounds connecting and the SSH handshake; DefaultTimeout if
	// zero.
	Timeout time.Duration
	// KeepAlive is the interval of keepalive requests while connected, which
	// detect a dead connection during long commands; DefaultKeepAlive if
	// zero, none if negative.
	KeepAlive time.Duration
	// MaxSessions bounds the sessions (commands) open at once on the
	// connection; DefaultMaxSessions if zero. ESXi's sshd allows 10 per
	// connection (OpenSSH's MaxSessions default); hardened hosts allow 1.
	// A host that refuses a session anyway makes the command wait for one.
	MaxSessions int
	// Logger receives debug records of the commands run; none if zero.
	Logger zerolog.Logger
}

// String describes the target without secrets, so that printing a Config
// never shows the password.
func (c Config) String() string {
	return c.User + "@" + c.Host
}

// GoString is String for the %#v verb.
func (c Config) GoString() string {
	return fmt.Sprintf("ssh.Config{%s}", c.String())
}

// address returns Host as host:port, port 22 by default.
func (c Config) address() (string, error) {
	h := strings.TrimSpace(c.Host)
	if h == "" {
		return "", fmt.Errorf("no host given: %w", ErrInvalidConfig)
	}
	if host, port, err := net.SplitHostPort(h); err == nil {
		if host == "" || port == "" {
			return "", fmt.Errorf("host %q: %w", c.Host, ErrInvalidConfig)
		}
		return h, nil
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if strings.ContainsAny(h, "[]/ ") {
		return "", fmt.Errorf("host %q: %w", c.Host, ErrInvalidConfig)
	}
	return net.JoinHostPort(h, DefaultPort), nil
}

// knownHostsPath returns KnownHostsFile or ~/.ssh/known_hosts.
func (c Config) knownHostsPath() (string, error) {
	if c.KnownHostsFile != "" {
		return c.KnownHostsFile, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the default known_hosts file: %w", err)
	}
	return filepath.Join(home, ".ssh", "known_hosts"), nil
}

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// DefaultMaxSessions is the number of sessions ceso opens at once on one
// connection unless told otherwise: below sshd's default of 10.
const DefaultMaxSessions = 8

func (c Config) maxSessions() int {
	if c.MaxSessions > 0 {
		return c.MaxSessions
	}
	return DefaultMaxSessions
}

func (c Config) keepAlive() time.Duration {
	if c.KeepAlive == 0 {
		return DefaultKeepAlive
	}
	return c.KeepAlive
}

// authMethods returns the key first, then the password by both methods.
// Errors name the key file, never its content or the passphrase.
func (c Config) authMethods() ([]gossh.AuthMethod, error) {
	if c.User == "" {
		return nil, fmt.Errorf("no user given: %w", ErrInvalidConfig)
	}
	var methods []gossh.AuthMethod
	if c.KeyFile != "" {
		signer, err := loadKey(c.KeyFile, c.KeyPassphrase)
		if err != nil {
			return nil, err
		}
		methods = append(methods, gossh.PublicKeys(signer))
	}
	if c.Password != "" {
		methods = append(methods,
			gossh.Password(c.Password),
			gossh.KeyboardInteractive(passwordChallenge(c.Password)))
	}
	if len(methods) == 0 {
		return nil, fmt.Errorf("neither a password nor a key file given: %w", ErrInvalidConfig)
	}
	return methods, nil
}

func loadKey(path, passphrase string) (gossh.Signer, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading ssh key: %w", err)
	}
	var signer gossh.Signer
	if passphrase != "" {
		signer, err = gossh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase))
	} else {
		signer, err = gossh.ParsePrivateKey(pem)
	}
	var missing *gossh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, fmt.Errorf("ssh key %s is encrypted and no passphrase was given: %w", path, ErrInvalidConfig)
	case err != nil:
		return nil, fmt.Errorf("parsing ssh key %s: %w", path, errors.Join(ErrInvalidConfig, err))
	}
	return signer, nil
}

// maxChallengeRounds bounds keyboard-interactive rounds that ask questions:
// a server that keeps asking after the password was given is not asking for
// it.
const maxChallengeRounds = 2

// passwordChallenge answers keyboard-interactive prompts: the password to
// every hidden question, nothing to echoed ones (ESXi asks one hidden
// "Password: ").
func passwordChallenge(password string) gossh.KeyboardInteractiveChallenge {
	rounds := 0
	return func(_, _ string, questions []string, echos []bool) ([]string, error) {
		if len(questions) == 0 {
			return nil, nil
		}
		rounds++
		if rounds > maxChallengeRounds {
			return nil, errors.New("keyboard-interactive: the server keeps asking")
		}
		answers := make([]string, len(questions))
		for i := range questions {
			if i < len(echos) && !echos[i] {
				answers[i] = password
			}
		}
		return answers, nil
	}
}
