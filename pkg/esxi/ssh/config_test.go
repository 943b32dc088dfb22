package ssh

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestConfigAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"esxi1", "esxi1:22"},
		{"esxi1.lan:2222", "esxi1.lan:2222"},
		{" 10.0.0.5 ", "10.0.0.5:22"},
		{"fe80::1", "[fe80::1]:22"},
		{"[fe80::1]", "[fe80::1]:22"},
		{"[fe80::1]:2200", "[fe80::1]:2200"},
	}
	for _, tt := range tests {
		got, err := Config{Host: tt.in}.address()
		if err != nil || got != tt.want {
			t.Errorf("address(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "  ", ":22", "h:", "a b", "a/b"} {
		if _, err := (Config{Host: bad}).address(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("address(%q): %v, want ErrInvalidConfig", bad, err)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	var c Config
	if c.timeout() != DefaultTimeout || c.keepAlive() != DefaultKeepAlive {
		t.Errorf("defaults: %v %v", c.timeout(), c.keepAlive())
	}
	c.KeepAlive = -1
	if c.keepAlive() >= 0 {
		t.Error("negative KeepAlive must disable keepalives")
	}
	t.Setenv("HOME", t.TempDir())
	p, err := c.knownHostsPath()
	if err != nil || filepath.Base(p) != "known_hosts" || filepath.Base(filepath.Dir(p)) != ".ssh" {
		t.Errorf("knownHostsPath = %q, %v", p, err)
	}
	c.KnownHostsFile = "kh"
	if p, _ := c.knownHostsPath(); p != "kh" {
		t.Errorf("knownHostsPath = %q", p)
	}
}

func TestPasswordChallenge(t *testing.T) {
	answer := passwordChallenge("pw")
	got, err := answer("", "", []string{"Login: ", "Password: "}, []bool{true, false})
	if err != nil || len(got) != 2 || got[0] != "" || got[1] != "pw" {
		t.Errorf("answers = %q, %v", got, err)
	}
	if got, err := answer("", "banner", nil, nil); err != nil || got != nil {
		t.Errorf("no questions: %q, %v", got, err)
	}
	if _, err := answer("", "", []string{"Password: "}, []bool{false}); err != nil {
		t.Errorf("second round: %v", err)
	}
	if _, err := answer("", "", []string{"Password: "}, []bool{false}); err == nil {
		t.Error("a third round of questions was answered")
	}
}

func TestKeyFileKind(t *testing.T) {
	for typ, want := range map[string]string{
		"ssh-rsa": "rsa", "rsa-sha2-512": "rsa", "ecdsa-sha2-nistp256": "ecdsa", "ssh-ed25519": "ed25519", "x": "*",
	} {
		if got := keyFileKind(typ); got != want {
			t.Errorf("keyFileKind(%q) = %q, want %q", typ, got, want)
		}
	}
	if got := algorithmsForKeyType("ssh-rsa"); len(got) != 3 || got[0] != "rsa-sha2-512" {
		t.Errorf("rsa algorithms = %q", got)
	}
}
