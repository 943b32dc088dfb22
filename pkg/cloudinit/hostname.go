package cloudinit

import (
	"fmt"
	"strings"
)

// maxHostname is the longest DNS name (RFC 1035 §2.3.4 counts 255 octets on
// the wire, 253 characters in text form).
const maxHostname = 253

// ValidateHostname checks name against RFC 1123: dot-separated labels of 1
// to 63 letters, digits and hyphens, not starting or ending with a hyphen,
// at most 253 characters, and a last label that is not all digits (so that
// it cannot be read as an IPv4 address).
func ValidateHostname(name string) error {
	if name == "" {
		return fmt.Errorf("empty host name")
	}
	if len(name) > maxHostname {
		return fmt.Errorf("host name is %d characters, at most %d allowed", len(name), maxHostname)
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if err := validateLabel(l); err != nil {
			return fmt.Errorf("host name %q: %w", name, err)
		}
	}
	if allDigits(labels[len(labels)-1]) {
		return fmt.Errorf("host name %q: last label is all digits", name)
	}
	return nil
}

func validateLabel(l string) error {
	switch {
	case l == "":
		return fmt.Errorf("empty label")
	case len(l) > 63:
		return fmt.Errorf("label %q is longer than 63 characters", l)
	case l[0] == '-' || l[len(l)-1] == '-':
		return fmt.Errorf("label %q starts or ends with a hyphen", l)
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !isAlnum(c) && c != '-' {
			return fmt.Errorf("label %q contains %q", l, c)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// splitHostname returns the short host name and the FQDN for name, the way
// cloud-init derives them from local-hostname: the first label, and the whole
// name when it has a domain.
func splitHostname(name string) (host, fqdn string) {
	host, _, _ = strings.Cut(name, ".")
	return host, name
}
