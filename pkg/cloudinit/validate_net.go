package cloudinit

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Link MTU bounds: IPv4's minimum (RFC 791), IPv6's minimum (RFC 8200) and
// vmxnet3's maximum jumbo frame.
const (
	minMTU   = 68
	minMTUv6 = 1280
	maxMTU   = 9000
)

// defaultNameGlob matches the single NIC of a VM whose MAC and interface
// name are unknown: Ubuntu names vmxnet3 and e1000 adapters ens<slot>.
const defaultNameGlob = "en*"

// normalizeMAC returns mac as lower-case colon-separated hex, or an error
// when it is not a 48-bit MAC.
func normalizeMAC(mac string) (string, error) {
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		return "", fmt.Errorf("%q is not a 48-bit MAC address", mac)
	}
	return hw.String(), nil
}

func validateNICs(nics []NIC, adapters []string, e *errs) {
	known := map[string]bool{}
	for i, m := range adapters {
		n, err := normalizeMAC(m)
		if err != nil {
			e.addf(fmt.Sprintf("adapter_macs[%d]", i), "%v", err)
			continue
		}
		known[n] = true
	}
	seenMatch := map[string]string{}
	seenAddr := map[netip.Addr]string{}
	gw := map[string]string{}
	for i, n := range nics {
		f := fmt.Sprintf("nics[%d]", i)
		if key := validateMatch(f, i, n, nics, adapters, known, e); key != "" {
			if prev, dup := seenMatch[key]; dup {
				e.addf(f, "matches the same adapter as %s (%s)", prev, key)
			}
			seenMatch[key] = f
		}
		prefixes := validateAddresses(f, n, seenAddr, e)
		if !n.DHCP4 && !n.DHCP6 && len(prefixes) == 0 {
			e.addf(f, "no address: enable DHCP or give static addresses")
		}
		validateGateway(f+".gateway4", n.Gateway4, false, prefixes, gw, e)
		validateGateway(f+".gateway6", n.Gateway6, true, prefixes, gw, e)
		validateRoutes(f, n.Routes, prefixes, e)
		validateMTU(f, n, prefixes, e)
		validateDNS(f, n, e)
	}
}

// validateMatch checks how NIC i is matched and returns a key identifying
// the adapter it matches ("" when unknown).
func validateMatch(f string, i int, n NIC, nics []NIC, adapters []string, known map[string]bool, e *errs) string {
	switch {
	case n.MAC != "":
		m, err := normalizeMAC(n.MAC)
		if err != nil {
			e.addf(f+".mac", "%v", err)
			return ""
		}
		if len(known) > 0 && !known[m] {
			e.addf(f+".mac", "unknown NIC %s: the VM's adapters are %s", m, strings.Join(adapters, ", "))
		}
		return "mac " + m
	case n.Name != "":
		if len(n.Name) > 15 || strings.ContainsAny(n.Name, "/ \t\n:") {
			e.addf(f+".name", "%q is not an interface name", n.Name)
		}
		return "name " + n.Name
	case len(adapters) > 0:
		if i >= len(adapters) {
			e.addf(f, "unknown NIC: the VM has %d network adapter(s)", len(adapters))
			return ""
		}
		m, _ := normalizeMAC(adapters[i])
		return "mac " + m
	case len(nics) > 1:
		e.addf(f, "give a MAC or an interface name: the VM has more than one NIC")
	}
	return ""
}

func validateAddresses(f string, n NIC, seen map[netip.Addr]string, e *errs) []netip.Prefix {
	var out []netip.Prefix
	for j, a := range n.Addresses {
		af := fmt.Sprintf("%s.addresses[%d]", f, j)
		p, err := netip.ParsePrefix(strings.TrimSpace(a))
		if err != nil {
			e.addf(af, "%q is not an address in CIDR form such as 192.0.2.10/24", a)
			continue
		}
		if msg := badHostAddress(p); msg != "" {
			e.addf(af, "%s %s", p, msg)
			continue
		}
		if prev, dup := seen[p.Addr()]; dup {
			e.addf(af, "duplicate address %s (also %s)", p.Addr(), prev)
			continue
		}
		seen[p.Addr()] = af
		out = append(out, p)
	}
	return out
}

// badHostAddress says why p cannot be a host's address, or "".
func badHostAddress(p netip.Prefix) string {
	a := p.Addr()
	switch {
	case a.Is4In6():
		return "is an IPv4-mapped IPv6 address; give the IPv4 form"
	case a.Zone() != "":
		return "has a zone"
	case a.IsUnspecified(), a.IsLoopback(), a.IsMulticast():
		return "is not a unicast host address"
	case a.Is4() && p.Bits() < 31 && a == p.Masked().Addr():
		return "is the network address of its subnet"
	case a.Is4() && p.Bits() < 31 && a == lastAddr(p):
		return "is the broadcast address of its subnet"
	}
	return ""
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// reachable reports whether next hop via is on-link for a NIC with the given
// static prefixes: inside one of them, or IPv6 link-local.
func reachable(via netip.Addr, prefixes []netip.Prefix) bool {
	if via.Is6() && via.IsLinkLocalUnicast() {
		return true
	}
	for _, p := range prefixes {
		if p.Contains(via) && p.Addr() != via {
			return true
		}
	}
	return false
}

// ownAddress reports whether a is one of the NIC's own addresses.
func ownAddress(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Addr() == a {
			return true
		}
	}
	return false
}

func validateGateway(f, gw string, v6 bool, prefixes []netip.Prefix, seen map[string]string, e *errs) {
	if gw == "" {
		return
	}
	a, err := netip.ParseAddr(strings.TrimSpace(gw))
	if err != nil || a.Is6() != v6 || a.Is4In6() {
		fam := "IPv4"
		if v6 {
			fam = "IPv6"
		}
		e.addf(f, "%q is not an %s address", gw, fam)
		return
	}
	switch {
	case ownAddress(a, prefixes):
		e.addf(f, "gateway %s is the NIC's own address: give the router's address", a)
	case !reachable(a, prefixes):
		e.addf(f, "gateway %s is outside the subnets of the NIC's static addresses", a)
	}
	fam := "4"
	if v6 {
		fam = "6"
	}
	if prev, dup := seen[fam]; dup {
		e.addf(f, "a default IPv%s route is already set by %s", fam, prev)
	}
	seen[fam] = f
}

func validateRoutes(f string, routes []Route, prefixes []netip.Prefix, e *errs) {
	for j, r := range routes {
		rf := fmt.Sprintf("%s.routes[%d]", f, j)
		to, err := netip.ParsePrefix(strings.TrimSpace(r.To))
		if err != nil {
			e.addf(rf+".to", "%q is not a destination in CIDR form", r.To)
			continue
		}
		if to.Masked() != to {
			e.addf(rf+".to", "%s has host bits set; the network is %s", to, to.Masked())
		}
		via, err := netip.ParseAddr(strings.TrimSpace(r.Via))
		switch {
		case err != nil:
			e.addf(rf+".via", "%q is not an address", r.Via)
		case via.Is4() != to.Addr().Is4():
			e.addf(rf+".via", "%s and destination %s are of different families", via, to)
		case !reachable(via, prefixes):
			e.addf(rf+".via", "next hop %s is outside the subnets of the NIC's static addresses", via)
		}
		if r.Metric < 0 {
			e.addf(rf+".metric", "negative metric %d", r.Metric)
		}
	}
}

func validateMTU(f string, n NIC, prefixes []netip.Prefix, e *errs) {
	if n.MTU == 0 {
		return
	}
	hasV6 := n.DHCP6
	for _, p := range prefixes {
		hasV6 = hasV6 || p.Addr().Is6()
	}
	switch {
	case n.MTU < minMTU || n.MTU > maxMTU:
		e.addf(f+".mtu", "%d is outside %d..%d", n.MTU, minMTU, maxMTU)
	case hasV6 && n.MTU < minMTUv6:
		e.addf(f+".mtu", "%d is below IPv6's minimum of %d", n.MTU, minMTUv6)
	}
}

func validateDNS(f string, n NIC, e *errs) {
	for j, d := range n.DNS {
		a, err := netip.ParseAddr(strings.TrimSpace(d))
		if err != nil || a.IsUnspecified() || a.IsMulticast() {
			e.addf(fmt.Sprintf("%s.dns[%d]", f, j), "%q is not a name server address", d)
		}
	}
	for j, s := range n.Search {
		if err := ValidateHostname(strings.TrimSuffix(s, ".")); err != nil {
			e.add(&FieldError{Field: fmt.Sprintf("%s.search[%d]", f, j), Err: err})
		}
	}
}
