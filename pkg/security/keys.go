package security

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// PublicKeyPath is where GenerateKey puts the public half of the key at
// path, as ssh-keygen does.
func PublicKeyPath(path string) string { return path + ".pub" }

// KeyID names a public key in the tokens it signs: the first 8 bytes of
// its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// GenerateKey makes an Ed25519 key pair: the private key at path (PKCS #8
// PEM, 0600) and the public key at path+".pub" (PKIX PEM, 0644). It refuses
// to overwrite either file. rnd is crypto/rand when nil.
func GenerateKey(path string, rnd io.Reader) (ed25519.PublicKey, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	pub, priv, err := ed25519.GenerateKey(rnd)
	if err != nil {
		return nil, fmt.Errorf("%w: generating: %w", ErrKey, err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if _, err := os.Stat(PublicKeyPath(path)); err == nil {
		return nil, fmt.Errorf("%w: %s already exists; remove it or choose another name", ErrKey, PublicKeyPath(path))
	}
	if err := writeNew(path, 0o600, &pem.Block{Type: "PRIVATE KEY", Bytes: privDER}); err != nil {
		return nil, err
	}
	if err := writeNew(PublicKeyPath(path), 0o644, &pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}); err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	return pub, nil
}

func writeNew(path string, perm os.FileMode, b *pem.Block) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKey, err)
	}
	werr := pem.Encode(f, b)
	serr := f.Sync()
	if err := errors.Join(werr, serr, f.Close()); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("%w: writing %s: %w", ErrKey, path, err)
	}
	return nil
}

// LoadPrivateKey reads a private key written by GenerateKey. A file that
// group or others can read is refused, as ssh refuses one.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is readable by other users (mode %v); chmod 600 it", ErrKey, path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: %s holds no PEM \"PRIVATE KEY\" block", ErrKey, path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not an Ed25519 key", ErrKey, path)
	}
	return priv, nil
}

// LoadPublicKeys reads the public keys in a PEM file: one, or several while
// a key is being replaced (tokens signed by any of them verify).
func LoadPublicKeys(path string) ([]ed25519.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	var keys []ed25519.PublicKey
	for n := 1; ; n++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("%w: %s block %d is a %q, want \"PUBLIC KEY\"", ErrKey, path, n, b.Type)
		}
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s block %d: %w", ErrKey, path, n, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: %s block %d is not an Ed25519 key", ErrKey, path, n)
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: %s holds no PEM \"PUBLIC KEY\" block", ErrKey, path)
	}
	return keys, nil
}
