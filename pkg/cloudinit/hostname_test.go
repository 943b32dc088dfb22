package cloudinit

import (
	"strings"
	"testing"
)

func TestValidateHostname(t *testing.T) {
	for _, ok := range []string{"a", "web1", "web-1.example.com", "xn--bcher-kva.example", "1host.example", strings.Repeat("a", 63)} {
		if err := ValidateHostname(ok); err != nil {
			t.Errorf("ValidateHostname(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a_b", "-a", "a-", "a..b", ".a", "a.", "123", "a.123", "wéb", strings.Repeat("a", 64)} {
		if err := ValidateHostname(bad); err == nil {
			t.Errorf("ValidateHostname(%q) = nil", bad)
		}
	}
}

func TestHostnameFromName(t *testing.T) {
	tests := map[string]string{
		"web1":                  "web1",
		"Web Server 01":         "web-server-01",
		"db_primary (old)":      "db-primary-old",
		"app.example.com":       "app.example.com",
		"--x--":                 "x",
		"a..b":                  "a.b",
		"über":                  "ber",
		"2024":                  "",
		"!!!":                   "",
		strings.Repeat("a", 70): strings.Repeat("a", 63),
	}
	for in, want := range tests {
		if got := HostnameFromName(in); got != want {
			t.Errorf("HostnameFromName(%q) = %q, want %q", in, got, want)
		}
	}
}
