package client

import (
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
// service content (so that reuse costs no round trip). Never the password.
type cachedSession struct {
	Version        int                  `json:"version"`
	Host           string               `json:"host"`
	User           string               `json:"user"`
	Saved          time.Time            `json:"saved"`
	Cookies        []*http.Cookie       `json:"cookies"`
	ServiceContent types.ServiceContent `json:"service_content"`
}

const cacheVersion = 1

// sessionFile is the cache file of a host and user: one file per pair, named
// by a hash so that neither appears in the file name.
func sessionFile(cfg Config) string {
	sum := sha256.Sum256([]byte(cfg.Host + "\x00" + cfg.User))
	return filepath.Join(cfg.SessionDir, hex.EncodeToString(sum[:16])+".json")
}

// loadSession returns the cached session of cfg's host and user, if there is
// a usable one. A file that others may read is deleted, not trusted.
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
	return s, true
}

// saveSession writes the session's cookie to the cache: a 0600 file in a
// 0700 directory, replaced atomically.
func saveSession(cfg Config, sc *soap.Client, content types.ServiceContent) error {
	if cfg.SessionDir == "" {
		return nil
	}
	if err := os.MkdirAll(cfg.SessionDir, 0o700); err != nil {
		return fmt.Errorf("creating session cache: %w", err)
	}
	if err := os.Chmod(cfg.SessionDir, 0o700); err != nil {
		return fmt.Errorf("securing session cache: %w", err)
	}
	s := cachedSession{
		Version: cacheVersion, Host: cfg.Host, User: cfg.User, Saved: time.Now().UTC(),
		Cookies: sc.Jar.Cookies(sc.URL()), ServiceContent: content,
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
