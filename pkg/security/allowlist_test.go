package security

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestParsePrefix(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"10.0.0.0/8", "10.0.0.0/8", ""},
		{"192.0.2.7", "192.0.2.7/32", ""},
		{" 2001:db8::/32 ", "2001:db8::/32", ""},
		{"2001:db8::1", "2001:db8::1/128", ""},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8", ""},
		{"::ffff:192.0.2.7", "192.0.2.7/32", ""},
		{"fe80::1%eth0", "fe80::1/128", ""},
		{"10.0.0.1/8", "", "did you mean 10.0.0.0/8"},
		{"2001:db8::1/32", "", "did you mean 2001:db8::/32"},
		{"::ffff:0.0.0.0/96", "0.0.0.0/0", ""},
		{"::ffff:0.0.0.0/90", "", "did you mean ::ffc0:0:0/90"},
		{"nope", "", "want an IP address or CIDR"},
		{"10.0.0.0/33", "", "want an IP address or CIDR"},
		{"", "", "want an IP address or CIDR"},
	}
	for _, tt := range tests {
		p, err := ParsePrefix(tt.in)
		if tt.err != "" {
			if !errors.Is(err, ErrAllowlist) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParsePrefix(%q) = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || p.String() != tt.want {
			t.Errorf("ParsePrefix(%q) = %v, %v; want %s", tt.in, p, err, tt.want)
		}
	}
	_, err := NewAllowlist([]string{"10.0.0.0/8", "bad"}, nil)
	if !errors.Is(err, ErrAllowlist) || !strings.Contains(err.Error(), "security.ip_allowlist[1]") {
		t.Fatalf("got %v", err)
	}
	_, err = NewAllowlist(nil, []string{"bad"})
	if !errors.Is(err, ErrAllowlist) || !strings.Contains(err.Error(), "security.trusted_proxies[0]") {
		t.Fatalf("got %v", err)
	}
}

func TestAllows(t *testing.T) {
	a, err := NewAllowlist([]string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::ffff:198.51.100.0/120"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip   string
		want bool
	}{
		{"10.1.2.3", true},
		{"11.0.0.1", false},
		{"192.0.2.7", true},
		{"192.0.2.8", false},
		{"::ffff:10.1.2.3", true},  // v4-mapped peer
		{"::ffff:11.0.0.1", false}, // v4-mapped peer outside
		{"198.51.100.9", true},     // v4 peer, mapped entry
		{"2001:db8:1::5", true},    // v6
		{"2001:db9::5", false},     // v6 outside
		{"::a00:1", false},         // IPv4-compatible, not mapped: not 10.0.0.1
		{"fe80::1%eth0", false},    // zone dropped, then compared
	}
	for _, tt := range tests {
		if got := a.Allows(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("Allows(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
	var none *Allowlist
	empty, _ := NewAllowlist(nil, nil)
	for _, l := range []*Allowlist{none, empty} {
		if !l.Empty() || !l.Allows(netip.MustParseAddr("203.0.113.1")) {
			t.Fatal("an empty list allows every address")
		}
	}
}

func TestClientIP(t *testing.T) {
	a, err := NewAllowlist([]string{"10.0.0.0/8"}, []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		xff        []string
		want, err  string
	}{
		{"direct", "10.0.0.5:4431", nil, "10.0.0.5", ""},
		{"direct v6", "[2001:db8::9]:4431", nil, "2001:db8::9", ""},
		{"direct mapped", "[::ffff:10.0.0.5]:4431", nil, "10.0.0.5", ""},
		{"no port", "10.0.0.5", nil, "10.0.0.5", ""},
		{"spoofed XFF from an untrusted peer is ignored", "203.0.113.9:1", []string{"10.0.0.5"}, "203.0.113.9", ""},
		{"trusted proxy", "192.0.2.1:1", []string{"10.0.0.5"}, "10.0.0.5", ""},
		{"trusted v6 proxy", "[2001:db8::1]:1", []string{"10.0.0.5"}, "10.0.0.5", ""},
		{"client-written hops to the left are ignored", "192.0.2.1:1", []string{"10.0.0.5, 203.0.113.9"}, "203.0.113.9", ""},
		{"chain of trusted proxies", "192.0.2.1:1", []string{"203.0.113.9, 10.0.0.5, 192.0.2.2"}, "10.0.0.5", ""},
		{"several headers", "192.0.2.1:1", []string{"203.0.113.9", "10.0.0.5"}, "10.0.0.5", ""},
		{"only proxies", "192.0.2.1:1", []string{"192.0.2.2"}, "192.0.2.2", ""},
		{"proxy without XFF", "192.0.2.1:1", nil, "192.0.2.1", ""},
		{"mapped hop", "192.0.2.1:1", []string{"::ffff:10.0.0.5"}, "10.0.0.5", ""},
		{"garbage hop", "192.0.2.1:1", []string{"10.0.0.5, evil"}, "", "hop \"evil\""},
		{"unix socket peer", "@", nil, "", "peer address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			for _, h := range tt.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			ip, err := a.ClientIP(r)
			if tt.err != "" {
				if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || ip.String() != tt.want {
				t.Fatalf("got %v, %v; want %s", ip, err, tt.want)
			}
		})
	}
	// Without a list, the peer is the client and XFF is never read.
	var none *Allowlist
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:1"
	r.Header.Set("X-Forwarded-For", "10.0.0.5")
	if ip, err := none.ClientIP(r); err != nil || ip.String() != "203.0.113.9" {
		t.Fatalf("%v %v", ip, err)
	}
}

func TestMiddleware(t *testing.T) {
	a, err := NewAllowlist([]string{"10.0.0.0/8", "2001:db8::/32"}, []string{"192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	var reached []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, ok := ClientIPFrom(r.Context())
		if !ok {
			t.Error("no client IP in the context")
		}
		reached = append(reached, ip.String())
	})
	var denied []error
	mw := a.Middleware(h, func(_ *http.Request, err error) { denied = append(denied, err) })
	tests := []struct {
		peer, xff string
		code      int
	}{
		{"10.0.0.5:1", "", http.StatusOK},
		{"[::ffff:10.0.0.6]:1", "", http.StatusOK},
		{"[2001:db8::7]:1", "", http.StatusOK},
		{"203.0.113.9:1", "", http.StatusForbidden},
		{"203.0.113.9:1", "10.0.0.5", http.StatusForbidden}, // spoofed
		{"192.0.2.1:1", "10.0.0.8", http.StatusOK},
		{"192.0.2.1:1", "10.0.0.8, 203.0.113.9", http.StatusForbidden},
		{"192.0.2.1:1", "junk", http.StatusForbidden},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/v1/vms", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		w := httptest.NewRecorder()
		mw.ServeHTTP(w, r)
		if w.Code != tt.code {
			t.Errorf("%s (XFF %q): %d, want %d", tt.peer, tt.xff, w.Code, tt.code)
		}
	}
	if strings.Join(reached, " ") != "10.0.0.5 10.0.0.6 2001:db8::7 10.0.0.8" {
		t.Fatalf("the handler ran for %v", reached)
	}
	if len(denied) != 4 || !errors.Is(denied[0], ErrForbidden) || !strings.Contains(denied[0].Error(), "203.0.113.9 is not in security.ip_allowlist") {
		t.Fatalf("denials %v", denied)
	}
	// onDeny may be nil.
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:1"
	w := httptest.NewRecorder()
	a.Middleware(h, nil).ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Fatal(w.Code)
	}
}
