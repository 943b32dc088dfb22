package cliflags

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A throwaway OpenSSH private key, as `cat ~/.ssh/id_ed25519` prints one.
const privateKey = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACA5cTaQqL5zY//MAau88L9U2JUVkb/mKE1hI2UZjLmaxAAAAJhQ5WxzUOVs
cwAAAAtzc2gtZWQyNTUxOQAAACA5cTaQqL5zY//MAau88L9U2JUVkb/mKE1hI2UZjLmaxA
AAAEDPRIVATEPARTsecretsecretsecretsecret5cTaQqL5zY//MAau88L9U2JUVkb/mKE
1hI2UZjLmaxAAAAEHRlc3RAY2Vzby50ZXN0AQIDBA==
-----END OPENSSH PRIVATE KEY-----`

// TestPrivateKeysAreNeverEchoed: a private key given to --ssh-key, inline
// or as a file, is named as such and never shown, whole or in part.
func TestPrivateKeysAreNeverEchoed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(file, []byte(privateKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rsa := strings.ReplaceAll(privateKey, "OPENSSH PRIVATE KEY", "RSA PRIVATE KEY")
	putty := "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIPRIVATEPARTsecret\n"
	for _, v := range []string{privateKey, rsa, putty, file, "  " + privateKey + "\n"} {
		_, _, _, err := parse(t, []string{"--ssh-key", v}, os.ReadFile)
		if err == nil {
			t.Fatalf("a private key was accepted")
		}
		msg := err.Error()
		if !strings.Contains(msg, "private key") {
			t.Errorf("error %q does not say it is a private key", msg)
		}
		for _, part := range []string{"PRIVATEPART", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "cwAAAAtzc2gtZWQyNTUxOQAAACA5", "secret"} {
			if strings.Contains(msg, part) {
				t.Errorf("error echoes the private key: %q", msg)
			}
		}
	}
	_, _, _, err := parse(t, []string{"--ssh-key", "line one\nline two"}, os.ReadFile)
	if err == nil || strings.Contains(err.Error(), "line one") {
		t.Errorf("a multi-line value is echoed: %v", err)
	}
}
