package security

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateAndLoadKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "promote.key")
	pub, err := GenerateKey(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, PublicKeyPath(path): 0o644} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: %v %v", p, fi.Mode(), err)
		}
	}
	priv, err := LoadPrivateKey(path)
	if err != nil || !pub.Equal(priv.Public()) {
		t.Fatalf("private key does not match: %v", err)
	}
	pubs, err := LoadPublicKeys(PublicKeyPath(path))
	if err != nil || len(pubs) != 1 || !pubs[0].Equal(pub) {
		t.Fatalf("%v %v", pubs, err)
	}
	// Never overwritten.
	if _, err := GenerateKey(path, nil); !errors.Is(err, ErrKey) {
		t.Fatalf("second keygen: %v", err)
	}
	other := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(PublicKeyPath(other), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateKey(other, nil); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("existing .pub: %v", err)
	}
	if _, err := os.Stat(other); err == nil {
		t.Fatal("a private key was left without its public half")
	}
	if _, err := GenerateKey(filepath.Join(t.TempDir(), "k"), bytes.NewReader(nil)); !errors.Is(err, ErrKey) {
		t.Fatalf("no randomness: %v", err)
	}
	if _, err := GenerateKey(filepath.Join(t.TempDir(), "no", "k"), nil); !errors.Is(err, ErrKey) {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestLoadKeysRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if _, err := GenerateKey(good, nil); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second")
	if _, err := GenerateKey(second, nil); err != nil {
		t.Fatal(err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPriv, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	write := func(name string, mode os.FileMode, blocks ...*pem.Block) string {
		var b bytes.Buffer
		for _, bl := range blocks {
			_ = pem.Encode(&b, bl)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodPub, _ := os.ReadFile(PublicKeyPath(good))
	secondPub, _ := os.ReadFile(PublicKeyPath(second))
	both := filepath.Join(dir, "both.pub")
	if err := os.WriteFile(both, append(goodPub, secondPub...), 0o644); err != nil {
		t.Fatal(err)
	}
	if keys, err := LoadPublicKeys(both); err != nil || len(keys) != 2 {
		t.Fatalf("two keys while rotating: %v %v", keys, err)
	}

	loose := write("loose", 0o644, &pem.Block{Type: "PRIVATE KEY", Bytes: ecPriv})
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	privCases := map[string]string{
		loose: "readable by other users",
		write("ecpriv", 0o600, &pem.Block{Type: "PRIVATE KEY", Bytes: ecPriv}): "not an Ed25519 key",
		write("nopem", 0o600): "no PEM",
		write("garbage", 0o600, &pem.Block{Type: "PRIVATE KEY", Bytes: []byte("x")}): "",
		PublicKeyPath(good):           "",
		filepath.Join(dir, "missing"): "",
	}
	_ = os.Chmod(PublicKeyPath(good), 0o600)
	for p, want := range privCases {
		if _, err := LoadPrivateKey(p); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadPrivateKey(%s) = %v, want %q", filepath.Base(p), err, want)
		}
	}
	pubCases := map[string]string{
		write("ecpub", 0o644, &pem.Block{Type: "PUBLIC KEY", Bytes: ecPub}):     "not an Ed25519 key",
		write("privpub", 0o644, &pem.Block{Type: "PRIVATE KEY", Bytes: ecPriv}): "want \"PUBLIC KEY\"",
		write("empty.pub", 0o644): "no PEM",
		write("garbage.pub", 0o644, &pem.Block{Type: "PUBLIC KEY", Bytes: []byte("x")}): "block 1",
		filepath.Join(dir, "missing.pub"):                                               "",
	}
	for p, want := range pubCases {
		if _, err := LoadPublicKeys(p); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadPublicKeys(%s) = %v, want %q", filepath.Base(p), err, want)
		}
	}
}

func TestKeyID(t *testing.T) {
	a, b := seeded(1).Public().(ed25519.PublicKey), seeded(2).Public().(ed25519.PublicKey)
	ida, idb := KeyID(a), KeyID(b)
	if len(ida) != 16 || ida == idb || ida != KeyID(a) {
		t.Fatalf("%s %s", ida, idb)
	}
}
