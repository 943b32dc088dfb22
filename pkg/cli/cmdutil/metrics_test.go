package cmdutil

import (
	"errors"
	"net"
	"testing"

	"github.com/ceso/ceso/pkg/config"
)

// TestMetricsAllowlist: the /metrics listener of a command answers only
// security.ip_allowlist, IPv4-mapped IPv6 peers included.
func TestMetricsAllowlist(t *testing.T) {
	if f, err := allowFunc(nil); f != nil || err != nil {
		t.Fatalf("no allowlist: %v %v", f != nil, err)
	}
	allow, err := allowFunc([]string{"10.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{
		"10.1.2.3": true, "::1": true, "::ffff:10.1.2.3": true, "192.168.1.1": false, "2001:db8::1": false,
	} {
		if got := allow(net.ParseIP(ip)); got != want {
			t.Errorf("%s: allowed %v, want %v", ip, got, want)
		}
	}
	if _, err := allowFunc([]string{"10.0.0.1/8"}); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("host bits: %v", err)
	}
}
