package ssh

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is a host key that was refused: unknown (ErrUnknownHostKey),
// different from the recorded one (ErrHostKeyMismatch) or revoked
// (ErrHostKeyRevoked). Its message shows the fingerprint and what to do.
type HostKeyError struct {
	// Host is the address as known_hosts records it.
	Host string
	// KeyType is the presented key's type, such as "ecdsa-sha2-nistp256".
	KeyType string
	// Fingerprint is the presented key's SHA256 fingerprint.
	Fingerprint string
	// KnownHostsFile is the file that was checked.
	KnownHostsFile string
	// Known lists the known_hosts entries for the host ("file:line") when the
	// key changed.
	Known []string
	kind  error
}

func (e *HostKeyError) Error() string {
	key := e.KeyType + " " + e.Fingerprint
	switch e.kind {
	case ErrUnknownHostKey:
		return fmt.Sprintf("unknown ssh host key for %s (%s): verify this fingerprint on the host's console "+
			"(ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub) and, if it matches, run again with "+
			"--accept-new-host-key to record it in %s", e.Host, key, keyFileKind(e.KeyType), e.KnownHostsFile)
	case ErrHostKeyRevoked:
		return fmt.Sprintf("ssh host key for %s (%s) is marked revoked in %s: refusing to connect", e.Host, key, e.KnownHostsFile)
	}
	return fmt.Sprintf("ssh host key for %s changed: it presented %s, but %s records %s. The host may have been "+
		"reinstalled, or someone may be intercepting the connection: check the key on the host's console "+
		"(ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub) and, if it is right, remove the old entry yourself "+
		"(ssh-keygen -R %s -f %s)", e.Host, key, e.KnownHostsFile, strings.Join(e.Known, ", "),
		keyFileKind(e.KeyType), Quote(e.Host), Quote(e.KnownHostsFile))
}

// Unwrap returns the sentinel: ErrUnknownHostKey, ErrHostKeyMismatch or
// ErrHostKeyRevoked.
func (e *HostKeyError) Unwrap() error { return e.kind }

// keyFileKind names the host key file for a key type: ssh_host_<kind>_key.
func keyFileKind(keyType string) string {
	switch {
	case strings.Contains(keyType, "rsa"):
		return "rsa"
	case strings.Contains(keyType, "ecdsa"):
		return "ecdsa"
	case strings.Contains(keyType, "ed25519"):
		return "ed25519"
	}
	return "*"
}

// hostKeyChecker verifies host keys against one known_hosts file and, when
// asked, records the key of an unknown host.
type hostKeyChecker struct {
	file      string
	acceptNew bool
	db        gossh.HostKeyCallback // nil when the file does not exist

	mu       sync.Mutex
	recorded bool
}

// appendMu serialises writes to known_hosts files within the process.
var appendMu sync.Mutex

func newHostKeyChecker(file string, acceptNew bool) (*hostKeyChecker, error) {
	h := &hostKeyChecker{file: file, acceptNew: acceptNew}
	db, err := knownhosts.New(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No file yet: every host is unknown.
	case err != nil:
		return nil, fmt.Errorf("reading known_hosts file %s: %w", file, err)
	default:
		h.db = db
	}
	return h, nil
}

// check is the ssh.HostKeyCallback.
func (h *hostKeyChecker) check(hostname string, remote net.Addr, key gossh.PublicKey) error {
	var err error
	if h.db != nil {
		err = h.db(hostname, remote, key)
	} else {
		err = &knownhosts.KeyError{}
	}
	if err == nil {
		return nil
	}
	hkErr := &HostKeyError{
		Host:           knownhosts.Normalize(hostname),
		KeyType:        key.Type(),
		Fingerprint:    gossh.FingerprintSHA256(key),
		KnownHostsFile: h.file,
	}
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case errors.As(err, &revoked):
		hkErr.kind = ErrHostKeyRevoked
		return hkErr
	case errors.As(err, &keyErr) && len(keyErr.Want) > 0:
		hkErr.kind = ErrHostKeyMismatch
		for _, k := range keyErr.Want {
			hkErr.Known = append(hkErr.Known, fmt.Sprintf("%s %s at %s:%d",
				k.Key.Type(), gossh.FingerprintSHA256(k.Key), k.Filename, k.Line))
		}
		return hkErr
	case errors.As(err, &keyErr):
		if !h.acceptNew {
			hkErr.kind = ErrUnknownHostKey
			return hkErr
		}
		return h.record(hostname, key)
	}
	return fmt.Errorf("checking the ssh host key of %s: %w", hostname, err)
}

// record appends the key of an unknown host to the known_hosts file,
// creating it (0600) and its directory (0700) if missing.
func (h *hostKeyChecker) record(hostname string, key gossh.PublicKey) error {
	appendMu.Lock()
	defer appendMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return fmt.Errorf("creating the directory of %s: %w", h.file, err)
	}
	prefix := ""
	if data, err := os.ReadFile(h.file); err == nil && len(data) > 0 && data[len(data)-1] != '\n' {
		prefix = "\n"
	}
	f, err := os.OpenFile(h.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening %s to record the host key: %w", h.file, err)
	}
	line := prefix + knownhosts.Line([]string{hostname}, key) + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("recording the host key in %s: %w", h.file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("recording the host key in %s: %w", h.file, err)
	}
	h.mu.Lock()
	h.recorded = true
	h.mu.Unlock()
	return nil
}

func (h *hostKeyChecker) wasRecorded() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.recorded
}

// knownAlgorithms returns the host key algorithms matching the keys the
// file records for address, so that a host with several keys presents one
// that is known (as OpenSSH does); nil if none is recorded.
func (h *hostKeyChecker) knownAlgorithms(address string) []string {
	if h.db == nil {
		return nil
	}
	// A throwaway key never matches: the error lists the recorded keys.
	probe, _ := gossh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	err := h.db(address, &net.TCPAddr{IP: net.IPv4zero}, probe)
	var keyErr *knownhosts.KeyError
	if !errors.As(err, &keyErr) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, k := range keyErr.Want {
		for _, a := range algorithmsForKeyType(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsForKeyType lists the signature algorithms a key type can sign
// the key exchange with, best first.
func algorithmsForKeyType(t string) []string {
	switch t {
	case gossh.KeyAlgoRSA:
		return []string{gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256, gossh.KeyAlgoRSA}
	case gossh.CertAlgoRSAv01:
		return []string{gossh.CertAlgoRSASHA512v01, gossh.CertAlgoRSASHA256v01, gossh.CertAlgoRSAv01}
	}
	return []string{t}
}
