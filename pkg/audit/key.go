package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// hmacPrefix starts every hashed secret, as in Vault's audit log.
const hmacPrefix = "hmac-sha256:"

// Key is the per-installation HMAC key that hashes secrets in the log. Two
// records of the same secret carry the same hash, so a known value can be
// searched for (HashSecret) without the log revealing it.
type Key struct{ k []byte }

// KeyPath is where the key of the log at logPath lives.
func KeyPath(logPath string) string { return logPath + ".key" }

// OpenKey loads the key of the log at logPath, creating it (0600, 32 random
// bytes in hex) the first time. A key file readable by group or others, or
// not holding a key, is refused.
func OpenKey(logPath string) (*Key, error) {
	path := KeyPath(logPath)
	k, err := readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, err = createKey(path)
		if errors.Is(err, fs.ErrExist) { // another process made it first
			k, err = readKey(path)
		}
	}
	if err != nil {
		return nil, err
	}
	return &Key{k: k}, nil
}

func readKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is readable by other users (mode %v); chmod 600 it", ErrKey, path, fi.Mode().Perm())
	}
	buf, err := io.ReadAll(io.LimitReader(f, 130))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %w", ErrKey, path, err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(buf)))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("%w: %s does not hold a 64-digit hex key", ErrKey, path)
	}
	return k, nil
}

// createKey writes a new key beside path and links it into place, so that
// a concurrent reader sees either no key or a whole one, and two creators
// cannot both win: the second gets fs.ErrExist and reads the first's key.
func createKey(path string) ([]byte, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("%w: creating %s: %w", ErrKey, path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	cerr := f.Chmod(0o600)
	_, werr := f.WriteString(hex.EncodeToString(k))
	serr := f.Sync()
	if err := errors.Join(cerr, werr, serr, f.Close()); err != nil {
		return nil, fmt.Errorf("%w: writing %s: %w", ErrKey, path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: creating %s: %w", ErrKey, path, err)
	}
	return k, nil
}

// HashSecret returns "hmac-sha256:" and the hex HMAC-SHA256 of value under
// the key: what the log holds in place of the secret value. "ceso audit
// hash VALUE" prints it so that the log can be searched for a known value.
func (k *Key) HashSecret(value string) string {
	m := hmac.New(sha256.New, k.k)
	m.Write([]byte(value))
	return hmacPrefix + hex.EncodeToString(m.Sum(nil))
}
