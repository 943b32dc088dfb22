package cloudinit

import (
	"errors"
	"strings"
	"testing"
)

// mergedUserData builds a spec with a cloud-config and returns the user-data.
func mergedUserData(t *testing.T, s Spec, cc string) string {
	t.Helper()
	s.Hostname, s.InstanceID, s.CloudConfig = "h", "i", []byte(cc)
	return mustDecode(t, mustBuild(t, s)).UserData
}

func TestMergeRule(t *testing.T) {
	alice := key(t, "alice")
	tests := []struct {
		name string
		spec Spec
		cc   string
		want string // the whole rendered user-data
	}{
		{"header only", Spec{}, "#cloud-config\n", "#cloud-config\nusers:\n  - default\n"},
		{"empty document", Spec{}, "#cloud-config\n# nothing\n", "#cloud-config\nusers:\n  - default\n"},
		{"new keys appended in file order", Spec{Timezone: "UTC"}, "#cloud-config\nlocale: C.UTF-8\napt:\n  preserve_sources_list: true\n",
			"#cloud-config\nusers:\n  - default\ntimezone: UTC\nlocale: C.UTF-8\napt:\n  preserve_sources_list: true\n"},
		{"scalar: file wins", Spec{Timezone: "UTC"}, "#cloud-config\ntimezone: Europe/Paris\n",
			"#cloud-config\nusers:\n  - default\ntimezone: Europe/Paris\n"},
		{"lists concatenated", Spec{Packages: []string{"curl"}, RunCmd: []string{"a"}}, "#cloud-config\npackages: [jq]\nruncmd: [b]\n",
			"#cloud-config\nusers:\n  - default\npackages:\n  - curl\n  - jq\nruncmd:\n  - a\n  - b\n"},
		{"type change: file wins", Spec{Packages: []string{"curl"}}, "#cloud-config\npackages: jq\n",
			"#cloud-config\nusers:\n  - default\npackages: jq\n"},
		{"mappings merged recursively", Spec{}, "#cloud-config\nusers: [default]\n",
			"#cloud-config\nusers:\n  - default\n"},
		{"user merged by name", Spec{Users: []User{{Name: "alice", Groups: []string{"sudo"}, Shell: "/bin/bash"}}},
			"#cloud-config\nusers:\n  - name: alice\n    groups: [docker]\n    shell: /bin/zsh\n    ssh_authorized_keys: ['" + alice + "']\n",
			"#cloud-config\nusers:\n  - default\n  - name: alice\n    groups:\n      - sudo\n      - docker\n    shell: /bin/zsh\n    lock_passwd: true\n" +
				"    ssh_authorized_keys: ['" + alice + "']\n"},
		{"new users appended", Spec{NoDefaultUser: true, Users: []User{{Name: "alice"}}},
			"#cloud-config\nusers:\n  - bob,carol\n  - {name: dave}\n  - alice\n",
			"#cloud-config\nusers:\n  - name: alice\n    lock_passwd: true\n  - bob,carol\n  - {name: dave}\n"},
		{"default from file kept once", Spec{}, "#cloud-config\nusers:\n  - default\n  - erin\n",
			"#cloud-config\nusers:\n  - default\n  - erin\n"},
		{"users replaced by a mapping", Spec{}, "#cloud-config\nusers: {}\n", "#cloud-config\nusers: {}\n"},
		{"aliases expanded", Spec{}, "#cloud-config\nx: &a [1, 2]\ny: *a\n",
			"#cloud-config\nusers:\n  - default\nx: [1, 2]\ny: [1, 2]\n"},
		{"yaml 1.1 booleans kept as written", Spec{}, "#cloud-config\npackage_upgrade: yes\nssh_pwauth: off\n",
			"#cloud-config\nusers:\n  - default\npackage_upgrade: yes\nssh_pwauth: off\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergedUserData(t, tt.spec, tt.cc); got != tt.want {
				t.Errorf("user-data\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMergedConfigChecked(t *testing.T) {
	tests := []struct {
		name, cc, field string
		is              error
	}{
		{"plain text password", "#cloud-config\nusers:\n  - name: x\n    plain_text_passwd: hunter2\n", "cloud_config.users[1].plain_text_passwd", ErrPlainPassword},
		{"passwd not a hash", "#cloud-config\nusers:\n  - name: x\n    passwd: hunter2\n", "cloud_config.users[1].passwd", ErrPlainPassword},
		{"hashed_passwd not a hash", "#cloud-config\nusers:\n  - name: x\n    hashed_passwd: hunter2\n", "cloud_config.users[1].hashed_passwd", ErrPlainPassword},
		{"top-level password", "#cloud-config\npassword: hunter2\n", "cloud_config.password", ErrPlainPassword},
		{"refused key", "#cloud-config\nssh_authorized_keys: ['" + key(t, "rsa1024") + "']\n", "cloud_config.ssh_authorized_keys[0]", ErrSSHKey},
		{"user key", "#cloud-config\nusers:\n  - name: x\n    ssh_authorized_keys: ['" + key(t, "dsa") + "']\n", "cloud_config.users[1].ssh_authorized_keys[0]", ErrSSHKey},
		{"keys not a list", "#cloud-config\nssh_authorized_keys: nope\n", "cloud_config.ssh_authorized_keys", nil},
		{"bad hostname", "#cloud-config\nhostname: bad_name\n", "cloud_config.hostname", nil},
		{"bad fqdn", "#cloud-config\nfqdn: 7\n", "cloud_config.fqdn", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(Spec{Hostname: "h", CloudConfig: []byte(tt.cc)})
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Build() = %v, want a FieldError for %s", err, tt.field)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Build() = %v, want %v", err, tt.is)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Build() = %v repeats the password", err)
			}
		})
	}
	// A hash is accepted.
	if _, err := Build(Spec{Hostname: "h", CloudConfig: []byte("#cloud-config\npassword: '" + testSHA512Hash + "'\n")}); err != nil {
		t.Errorf("hashed password refused: %v", err)
	}
}

func TestAliasBombRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("#cloud-config\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, err := Build(Spec{Hostname: "h", CloudConfig: []byte(b.String())})
	if !errors.Is(err, ErrCloudConfig) || !strings.Contains(err.Error(), "aliases are expanded") {
		t.Fatalf("Build() = %v, want the alias expansion refused", err)
	}
}
