package cloudinit

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSSHKeyAccepted(t *testing.T) {
	// Fingerprints as printed by ssh-keygen -lf for the same files.
	tests := []struct {
		file, typ, fp string
		bits          int
	}{
		{"ed25519", "ssh-ed25519", "SHA256:qBYAJJNucVn1Vq9P1V0UOPoQcxt17NlgEWy7cHr6mlc", 0},
		{"ecdsa256", "ecdsa-sha2-nistp256", "SHA256:9FLDZYdXQmCtVW0lXFSnCoGdrdbD5b332HZNLW5I2bY", 0},
		{"ecdsa384", "ecdsa-sha2-nistp384", "SHA256:ExhiFdIA2fa+OCoDDP9LxqrPrif/7rjYSu/QGySr8JY", 0},
		{"ecdsa521", "ecdsa-sha2-nistp521", "SHA256:HBxZiLU8XuEKZzKZtxJoDn5eRuvTgaCN069p0swHoZU", 0},
		{"rsa2048", "ssh-rsa", "SHA256:DGXPQzfpkvPxg8vtEgmssKMaV4tYOyp4ARqfCgd/nO0", 2048},
		{"rsa4096", "ssh-rsa", "SHA256:9tNlFnqC6PbQfAoL0PIYp06WmrAtK74VNeLk6VW1wbo", 4096},
		{"sk-ed25519", "sk-ssh-ed25519@openssh.com", "SHA256:pMUyOSkAhysurZRkob4Aek3tnuKQXkeFxOvxbgv7gZE", 0},
		{"sk-ecdsa256", "sk-ecdsa-sha2-nistp256@openssh.com", "SHA256:WnDqNlCkEEb1SapijyDLJ7AHPFmno9LoH91wEO3Uz00", 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			line := key(t, tt.file)
			k, err := ParseSSHKey("  " + line + "\n")
			if err != nil {
				t.Fatalf("ParseSSHKey: %v", err)
			}
			if k.Type != tt.typ || k.Fingerprint != tt.fp || k.Bits != tt.bits {
				t.Errorf("got type %s fp %s bits %d, want %s %s %d", k.Type, k.Fingerprint, k.Bits, tt.typ, tt.fp, tt.bits)
			}
			if k.Line != line {
				t.Errorf("normalized line\n got %q\nwant %q", k.Line, line)
			}
			if !LooksLikeSSHKey(line) {
				t.Errorf("LooksLikeSSHKey(%q) = false", line)
			}
		})
	}
}

func TestParseSSHKeyRefused(t *testing.T) {
	rsa1024 := key(t, "rsa1024")
	ed := key(t, "ed25519")
	tests := []struct {
		name, line, want string
		// shown must appear in the message (the line is quoted), hidden
		// must not (a private key is never repeated).
		shown, hidden string
	}{
		{"rsa too short", rsa1024, "rsa key has 1024 bits, at least 2048", "ssh-rsa AAAA", ""},
		{"dsa", key(t, "dsa"), "key type ssh-dss is not accepted", "ssh-dss AAAA", ""},
		{"certificate", "ssh-ed25519-cert-v01@openssh.com AAAAbm90", "key type ssh-ed25519-cert-v01@openssh.com is not accepted", "AAAAbm90", ""},
		{"garbage", "ssh-ed25519 not-base64!", "cannot parse", "not-base64!", ""},
		{"empty", "", "cannot parse", `""`, ""},
		{"options", `from="10.0.0.0/8" ` + ed, "key options", "10.0.0.0/8", ""},
		{"private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE", "private key", "", "b3BlbnNzaC1rZXktdjE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSSHKey(tt.line)
			if !errors.Is(err, ErrSSHKey) {
				t.Fatalf("err = %v, want ErrSSHKey", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if tt.shown != "" && !strings.Contains(err.Error(), tt.shown) {
				t.Errorf("err = %q does not quote %q", err, tt.shown)
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("err = %q repeats %q", err, tt.hidden)
			}
		})
	}
}

func TestParseSSHKeys(t *testing.T) {
	text := "# my keys\n\n" + key(t, "ed25519") + "\n" + key(t, "rsa2048") + "\n"
	keys, err := ParseSSHKeys([]byte(text))
	if err != nil {
		t.Fatalf("ParseSSHKeys: %v", err)
	}
	if len(keys) != 2 || keys[0].Type != "ssh-ed25519" || keys[1].Type != "ssh-rsa" {
		t.Fatalf("got %+v", keys)
	}
	_, err = ParseSSHKeys([]byte(key(t, "ed25519") + "\n" + key(t, "dsa") + "\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 2: ") {
		t.Errorf("err = %v, want it to name line 2", err)
	}
}

func TestLooksLikeSSHKey(t *testing.T) {
	for in, want := range map[string]bool{
		"~/.ssh/id_ed25519.pub":  false,
		"keys/ssh-ed25519.pub":   false,
		"ssh-ed25519 AAAA":       true,
		" ecdsa-sha2-nistp256 A": true,
		"sk-ssh-ed25519@openssh": true,
	} {
		if got := LooksLikeSSHKey(in); got != want {
			t.Errorf("LooksLikeSSHKey(%q) = %v, want %v", in, got, want)
		}
	}
}
