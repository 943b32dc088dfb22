package cloudinit

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"
)

// MinRSABits is the smallest RSA modulus accepted.
const MinRSABits = 2048

// acceptedKeyTypes are the public key algorithms ceso writes into guests.
var acceptedKeyTypes = map[string]bool{
	ssh.KeyAlgoED25519:    true,
	ssh.KeyAlgoECDSA256:   true,
	ssh.KeyAlgoECDSA384:   true,
	ssh.KeyAlgoECDSA521:   true,
	ssh.KeyAlgoRSA:        true,
	ssh.KeyAlgoSKED25519:  true,
	ssh.KeyAlgoSKECDSA256: true,
}

// SSHKey is a parsed authorized_keys line.
type SSHKey struct {
	// Type is the key algorithm, e.g. "ssh-ed25519".
	Type string
	// Bits is the RSA modulus size; 0 for other types.
	Bits int
	// Comment is the text after the key, often user@host.
	Comment string
	// Fingerprint is the OpenSSH SHA256 fingerprint, "SHA256:...".
	Fingerprint string
	// Line is the normalized line "type base64 [comment]".
	Line string
}

// ParseSSHKey parses one authorized_keys line. It accepts ed25519, ecdsa,
// rsa of at least MinRSABits bits and the sk- security key types, without
// options; anything else is an error that quotes the line (a private key is
// recognised and never quoted).
func ParseSSHKey(line string) (SSHKey, error) {
	line = strings.TrimSpace(line)
	if strings.Contains(line, "PRIVATE KEY") {
		return SSHKey{}, fmt.Errorf("%w: this is a private key; give the public key (.pub)", ErrSSHKey)
	}
	pub, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		if f := strings.Fields(line); len(f) > 0 && keyTypeRe.MatchString(f[0]) && !acceptedKeyTypes[f[0]] {
			return SSHKey{}, refusedType(line, f[0])
		}
		return SSHKey{}, fmt.Errorf("%w: %s: cannot parse: %v", ErrSSHKey, quoteLine(line), err)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return SSHKey{}, fmt.Errorf("%w: %s: more than one key on the line", ErrSSHKey, quoteLine(line))
	}
	if len(options) > 0 {
		return SSHKey{}, fmt.Errorf("%w: %s: key options (%s) are not supported", ErrSSHKey, quoteLine(line), strings.Join(options, ","))
	}
	k := SSHKey{Type: pub.Type(), Comment: comment, Fingerprint: ssh.FingerprintSHA256(pub)}
	if !acceptedKeyTypes[k.Type] {
		return SSHKey{}, refusedType(line, k.Type)
	}
	if k.Type == ssh.KeyAlgoRSA {
		k.Bits = rsaBits(pub)
		if k.Bits < MinRSABits {
			return SSHKey{}, fmt.Errorf("%w: %s: rsa key has %d bits, at least %d required",
				ErrSSHKey, quoteLine(line), k.Bits, MinRSABits)
		}
	}
	k.Line = strings.TrimSpace(string(bytes.TrimSpace(ssh.MarshalAuthorizedKey(pub))) + " " + comment)
	return k, nil
}

// keyTypeRe matches a key type name such as ssh-dss or
// ssh-ed25519-cert-v01@openssh.com.
var keyTypeRe = regexp.MustCompile(`^(ssh|ecdsa|sk)-[a-z0-9.@-]+$`)

func refusedType(line, typ string) error {
	return fmt.Errorf("%w: %s: key type %s is not accepted (use ed25519, ecdsa, rsa >= %d bits or an sk- key)",
		ErrSSHKey, quoteLine(line), typ, MinRSABits)
}

func rsaBits(pub ssh.PublicKey) int {
	cpk, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return 0
	}
	rk, ok := cpk.CryptoPublicKey().(*rsa.PublicKey)
	if !ok {
		return 0
	}
	return rk.N.BitLen()
}

// ParseSSHKeys parses an authorized_keys style text: one key per line, blank
// lines and lines starting with '#' skipped. The error names the line number.
func ParseSSHKeys(data []byte) ([]SSHKey, error) {
	var keys []SSHKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := ParseSSHKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading keys: %w", err)
	}
	return keys, nil
}

// LooksLikeSSHKey reports whether s starts like an authorized_keys line
// rather than a file name.
func LooksLikeSSHKey(s string) bool {
	s = strings.TrimSpace(s)
	for _, p := range []string{"ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// quoteLine quotes a key line for an error message, shortened so that a
// whole 4096-bit key does not flood the terminal.
func quoteLine(line string) string {
	const max = 60
	if len(line) > max {
		line = line[:max/2] + "..." + line[len(line)-max/2:]
	}
	return fmt.Sprintf("%q", line)
}
