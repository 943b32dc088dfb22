package cloudinit

import (
	"fmt"
	"strings"
)

// String renders the summary for a terminal, one fact per line:
//
//	hostname:     web1 (web1.example.com)
//	instance-id:  ceso-...
//	nic0:         00:50:56:aa:bb:01 192.0.2.10/24 via 192.0.2.1 dns 192.0.2.53
//	user ubuntu:  default, sudo, keys SHA256:...
func (s Summary) String() string {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-14s%s\n", label+":", fmt.Sprintf(format, args...))
	}
	host := s.Hostname
	if s.FQDN != "" && s.FQDN != s.Hostname {
		host += " (" + s.FQDN + ")"
	}
	line("hostname", "%s", orNone(host))
	line("instance-id", "%s", orNone(s.InstanceID))
	if s.DHCPFallback {
		line("network", "DHCP on the first NIC (no network config)")
	}
	for _, n := range s.NICs {
		line(n.ID, "%s", nicText(n))
	}
	for _, u := range s.Users {
		line("user "+u.Name, "%s", userText(u))
	}
	if len(s.Missing) > 0 {
		line("missing", "%s", strings.Join(s.Missing, ", "))
	}
	for _, p := range s.Problems {
		line("problem", "%s", p)
	}
	return b.String()
}

func nicText(n NICSummary) string {
	var f []string
	switch {
	case n.MAC != "":
		f = append(f, n.MAC)
	case n.Name != "" && n.Name != n.ID:
		f = append(f, "name "+n.Name)
	}
	if n.DHCP4 {
		f = append(f, "dhcp4")
	}
	if n.DHCP6 {
		f = append(f, "dhcp6")
	}
	f = append(f, n.Addresses...)
	if len(n.Gateways) > 0 {
		f = append(f, "via "+strings.Join(n.Gateways, ","))
	}
	if len(n.DNS) > 0 {
		f = append(f, "dns "+strings.Join(n.DNS, ","))
	}
	return orNone(strings.Join(f, " "))
}

func userText(u UserSummary) string {
	var f []string
	if u.Default {
		f = append(f, "default")
	}
	if u.Sudo {
		f = append(f, "sudo")
	}
	if len(u.Groups) > 0 {
		f = append(f, "groups "+strings.Join(u.Groups, ","))
	}
	if len(u.SSHKeys) > 0 {
		f = append(f, "keys "+strings.Join(u.SSHKeys, " "))
	} else {
		f = append(f, "no ssh key")
	}
	return strings.Join(f, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
