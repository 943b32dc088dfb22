package client

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// cachedSession is what the cache keeps of a session: its cookie and the
// service content (so that reuse costs no round trip), and a keyed hash of
// the password it was made with. Never the password.
type cachedSession struct {
	Version        int                  `json:"version"`
	Host           string               `json:"host"`
	User           string               `json:"user"`
	Saved          time.Time            `json:"saved"`
	PasswordMAC    string               `json:"password_hmac"`
	Cookies        []*http.Cookie       `json:"cookies"`
	ServiceContent types.ServiceContent `json:"service_content"`
}

const cacheVersion = 2

// keyFile holds the random key of the password hashes, beside the sessions.
const keyFile = "password.key"

// sessionFile is the cache file of a host and user: one file per pair, named
// by a hash so that neither appears in the file name.
func sessionFile(cfg Config) string {
	sum := sha256.Sum256([]byte(cfg.Host + "\x00" + cfg.User))
	return filepath.Join(cfg.SessionDir, hex.EncodeToString(sum[:16])+".json")
}

// loadSession returns the cached session of cfg's host and user, if there is
// a usable one. A file that others may read is deleted, not trusted. When
// cfg.Password is set, a session made with another password is not usable:
// a wrong password shows at once instead of when the session expires.
func loadSession(cfg Config) (cachedSession, bool) {
	var s cachedSession
	if cfg.SessionDir == "" {
		return s, false
	}
	path := sessionFile(cfg)
	fi, err := os.Stat(path)
	if err != nil {
		return s, false
	}
	if fi.Mode().Perm()&0o077 != 0 {
		cfg.Logger.Warn().Str("file", path).Msg("session cache file is readable by others; discarding it")
		_ = os.Remove(path)
		return s, false
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &s) != nil {
		return s, false
	}
	if s.Version != cacheVersion || s.Host != cfg.Host || s.User != cfg.User || len(s.Cookies) == 0 || s.ServiceContent.SessionManager == nil {
		return s, false
	}
	if cfg.Password != "" {
		key, err := readKey(cfg.SessionDir)
		if err != nil || !hmac.Equal([]byte(s.PasswordMAC), []byte(passwordMAC(key, cfg, cfg.Password))) {
			cfg.Logger.Debug().Str("host", cfg.Host).Msg("the cached session was made with another password; logging in")
			return s, false
		}
	}
	return s, true
}

// passwordMAC is the hex HMAC-SHA256, under key, of the host, user and
// password a session was made with.
func passwordMAC(key []byte, cfg Config, password string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(cfg.Host + "\x00" + cfg.User + "\x00" + password))
	return hex.EncodeToString(m.Sum(nil))
}

// readKey reads the key of the password hashes.
func readKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, keyFile)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(string(data))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%s is not a key", path)
	}
	return key, nil
}

// sessionKey returns the key of the password hashes, made once (32 random
// bytes, a 0600 file in the session directory).
func sessionKey(dir string) ([]byte, error) {
	if key, err := readKey(dir); err == nil {
		return key, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(key)); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, keyFile)); err != nil {
		return nil, err
	}
	return key, nil
}

// saveSession writes the session's cookie, made with password, to the
// cache: a 0600 file in a 0700 directory, replaced atomically.
func saveSession(cfg Config, sc *soap.Client, content types.ServiceContent, password string) error {
	if cfg.SessionDir == "" {
		return nil
	}
	if err := os.MkdirAll(cfg.SessionDir, 0o700); err != nil {
		return fmt.Errorf("creating session cache: %w", err)
	}
	if err := os.Chmod(cfg.SessionDir, 0o700); err != nil {
		return fmt.Errorf("securing session cache: %w", err)
	}
	key, err := sessionKey(cfg.SessionDir)
	if err != nil {
		return fmt.Errorf("making the session cache key: %w", err)
	}
	s := cachedSession{
		Version: cacheVersion, Host: cfg.Host, User: cfg.User, Saved: time.Now().UTC(),
		PasswordMAC: passwordMAC(key, cfg, password),
		Cookies:     sc.Jar.Cookies(sc.URL()), ServiceContent: content,
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(cfg.SessionDir, ".session-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), sessionFile(cfg))
}

func removeSession(cfg Config) {
	if cfg.SessionDir != "" {
		_ = os.Remove(sessionFile(cfg))
	}
}
