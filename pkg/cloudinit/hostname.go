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

// HostnameFromName derives a host name from a VM name, for a command whose
// user gave no --hostname: each dot-separated part is lower-cased, every run
// of characters other than letters, digits and hyphens becomes one hyphen,
// hyphens at the ends are dropped and the part is cut to 63 characters;
// empty parts are dropped. It returns "" when no valid name remains.
func HostnameFromName(name string) string {
	var labels []string
	for _, part := range strings.Split(strings.ToLower(name), ".") {
		var b strings.Builder
		dash := false
		for i := 0; i < len(part); i++ {
			c := part[i]
			if isAlnum(c) {
				b.WriteByte(c)
				dash = false
			} else if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		l := strings.Trim(b.String(), "-")
		if len(l) > 63 {
			l = strings.TrimRight(l[:63], "-")
		}
		if l != "" {
			labels = append(labels, l)
		}
	}
	h := strings.Join(labels, ".")
	if len(h) > maxHostname || ValidateHostname(h) != nil {
		return ""
	}
	return h
}
