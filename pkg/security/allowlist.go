package security

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Allowlist says which client addresses may use a listener. An empty list
// allows every address. Addresses are compared unmapped: "::ffff:10.0.0.1"
// is 10.0.0.1, and an IPv4-mapped prefix "::ffff:10.0.0.0/104" is
// 10.0.0.0/8. X-Forwarded-For is believed only from a trusted proxy.
type Allowlist struct {
	allow   []netip.Prefix
	proxies []netip.Prefix
}

// NewAllowlist parses allow (security.ip_allowlist) and trustedProxies:
// IP addresses or CIDR prefixes, IPv4 or IPv6. An entry with host bits set
// ("10.0.0.1/8") is refused as ambiguous.
func NewAllowlist(allow, trustedProxies []string) (*Allowlist, error) {
	a, err := parsePrefixes("security.ip_allowlist", allow)
	if err != nil {
		return nil, err
	}
	p, err := parsePrefixes("security.trusted_proxies", trustedProxies)
	if err != nil {
		return nil, err
	}
	return &Allowlist{allow: a, proxies: p}, nil
}

func parsePrefixes(field string, entries []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(entries))
	for i, e := range entries {
		p, err := ParsePrefix(e)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", field, i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// ParsePrefix reads one allowlist entry: an address (a prefix of one
// address) or a CIDR prefix, unmapped and without a zone.
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%w: want an IP address or CIDR prefix, got %q", ErrAllowlist, s)
		}
		a = a.Unmap().WithZone("")
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w: want an IP address or CIDR prefix, got %q", ErrAllowlist, s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%w: %q has bits set after the /%d; did you mean %s?", ErrAllowlist, s, p.Bits(), p.Masked())
	}
	// A masked prefix with a mapped address has at least 96 bits: the
	// "::ffff:" part is all ones.
	if a := p.Addr(); a.Is4In6() {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p, nil
}

// Empty reports whether the list allows every address.
func (a *Allowlist) Empty() bool { return a == nil || len(a.allow) == 0 }

// Allows reports whether ip may connect.
func (a *Allowlist) Allows(ip netip.Addr) bool {
	if a.Empty() {
		return true
	}
	return contains(a.allow, ip)
}

func contains(ps []netip.Prefix, ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ClientIP returns the address of the client of r: the peer, or, when the
// peer is a trusted proxy, the rightmost address of X-Forwarded-For that is
// not a trusted proxy (the hops to its left were written by the client and
// prove nothing).
func (a *Allowlist) ClientIP(r *http.Request) (netip.Addr, error) {
	peer, err := peerAddr(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, err
	}
	if a == nil || !contains(a.proxies, peer) {
		return peer, nil
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		ip, err := netip.ParseAddr(h)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("%w: X-Forwarded-For hop %q from proxy %s is not an IP address", ErrForbidden, h, peer)
		}
		client = ip.Unmap().WithZone("")
		if !contains(a.proxies, client) {
			break
		}
	}
	return client, nil
}

func peerAddr(remote string) (netip.Addr, error) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: peer address %q is not an IP address", ErrForbidden, remote)
	}
	return ip.Unmap().WithZone(""), nil
}

type clientIPKey struct{}

// ClientIPFrom returns the client address Middleware found for the
// request of ctx.
func ClientIPFrom(ctx context.Context) (netip.Addr, bool) {
	ip, ok := ctx.Value(clientIPKey{}).(netip.Addr)
	return ip, ok
}

// Middleware answers 403 Forbidden, before next runs, to a client the list
// does not allow or whose address cannot be told; onDeny (may be nil) is
// told why, for the log. The client address is in the request's context
// (ClientIPFrom).
func (a *Allowlist) Middleware(next http.Handler, onDeny func(r *http.Request, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, err := a.ClientIP(r)
		if err == nil && !a.Allows(ip) {
			err = fmt.Errorf("%w: %s is not in security.ip_allowlist", ErrForbidden, ip)
		}
		if err != nil {
			if onDeny != nil {
				onDeny(r, err)
			}
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}
