package client

import (
	"context"
	"crypto/sha1" //nolint:gosec // ESXi shows and pins SHA-1 thumbprints; SHA-256 is accepted too
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
)

// Fingerprint formats a digest as ESXi shows it: upper-case hex pairs
// separated by colons.
func Fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// Thumbprints returns the SHA-1 and SHA-256 thumbprints of a certificate.
func Thumbprints(cert *x509.Certificate) (sha1Hex, sha256Hex string) {
	s1 := sha1.Sum(cert.Raw) //nolint:gosec // thumbprint format, not a signature
	s256 := sha256.Sum256(cert.Raw)
	return Fingerprint(s1[:]), Fingerprint(s256[:])
}

func normalizeThumbprint(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// verifier checks a host certificate the way the configuration says.
type verifier struct {
	host       string // without port, for CA verification
	thumbprint string // normalised, SHA-1 or SHA-256
	roots      *x509.CertPool
	insecure   bool
}

func newVerifier(host, thumbprint, caFile string, insecure bool) (*verifier, error) {
	v := &verifier{host: host, thumbprint: normalizeThumbprint(thumbprint), insecure: insecure}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%w: reading CA file: %w", ErrCertUntrusted, err)
		}
		v.roots = x509.NewCertPool()
		if !v.roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA file %s holds no PEM certificate", ErrCertUntrusted, caFile)
		}
	}
	return v, nil
}

func (v *verifier) verify(cs tls.ConnectionState) error {
	if v.insecure {
		return nil
	}
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("%w: the host sent no certificate", ErrCertUntrusted)
	}
	leaf := cs.PeerCertificates[0]
	t1, t256 := Thumbprints(leaf)
	if v.thumbprint != "" {
		if v.thumbprint == t1 || v.thumbprint == t256 {
			return nil
		}
		return fmt.Errorf("%w: %s presents SHA-256 %s (SHA-1 %s), pinned %s; if the host's certificate was renewed on purpose, check the new fingerprint on the host console (openssl x509 -in /etc/vmware/ssl/rui.crt -fingerprint -sha256 -noout) and update esxi.thumbprint, otherwise something is intercepting the connection",
			ErrThumbprintMismatch, v.host, t256, t1, v.thumbprint)
	}
	opts := x509.VerifyOptions{Roots: v.roots, DNSName: v.host, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := leaf.Verify(opts); err != nil {
		return fmt.Errorf("%w: %v; pin the certificate with --thumbprint %s (ESXI_THUMBPRINT) after checking it on the host console (openssl x509 -in /etc/vmware/ssl/rui.crt -fingerprint -sha256 -noout), or name its CA with --ca-file",
			ErrCertUntrusted, err, t256)
	}
	return nil
}

// dialTLS dials addr, honouring ctx, and verifies the certificate. It is
// installed as the HTTP transport's DialTLSContext.
func (v *verifier) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, classifyDial(addr, err)
	}
	conf := &tls.Config{
		ServerName:         v.host,
		InsecureSkipVerify: true, //nolint:gosec // verification is done by VerifyConnection below
		VerifyConnection:   v.verify,
		MinVersion:         tls.VersionTLS12,
	}
	conn := tls.Client(raw, conf)
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		if errors.Is(err, ErrThumbprintMismatch) || errors.Is(err, ErrCertUntrusted) {
			return nil, err
		}
		return nil, classifyDial(addr, fmt.Errorf("TLS handshake: %w", err))
	}
	return conn, nil
}

// classifyDial turns a network error into one of the connection errors,
// each saying what to check.
func classifyDial(addr string, err error) error {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("%w: connecting to %s: %w; check that the host is up and that no firewall drops port 443, or raise --timeout", ErrTimeout, addr, err)
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &dnsErr):
		return fmt.Errorf("%w: %s: %w; check the spelling of esxi.host and your DNS, or use the IP address", ErrHostNotFound, addr, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: %s: nothing listens there; check the address and port (the host SDK answers on 443) and that the management agent (hostd) is running", ErrConnectionRefused, addr)
	}
	return fmt.Errorf("%w: %s: %w; check the network path to the host", ErrUnreachable, addr, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
