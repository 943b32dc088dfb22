package cloudinit

import (
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// userEntries parses the users list of rendered user-data.
func userEntries(t *testing.T, keys map[string]string) []any {
	t.Helper()
	d := mustDecode(t, keys)
	if !strings.HasPrefix(d.UserData, CloudConfigHeader+"\n") {
		t.Fatalf("user-data does not begin with %s: %q", CloudConfigHeader, d.UserData)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(d.UserData), &cfg); err != nil {
		t.Fatalf("user-data is not YAML: %v", err)
	}
	users, _ := cfg["users"].([]any)
	return users
}

func TestUserShapes(t *testing.T) {
	ed, alice := key(t, "ed25519"), key(t, "alice")
	tests := []struct {
		name   string
		spec   Spec
		want   []any
		pubkey bool // metadata carries public-keys-data
	}{
		{"default user only", Spec{SSHKeys: []string{ed}}, []any{"default"}, true},
		{"default user without keys", Spec{}, []any{"default"}, false},
		{"named user with sudo and groups", Spec{SSHKeys: []string{ed}, Users: []User{
			{Name: "alice", Groups: []string{"sudo", "docker"}, Sudo: SudoNoPassword, Shell: "/bin/bash", SSHKeys: []string{alice}}}},
			[]any{"default", map[string]any{"name": "alice", "groups": []any{"sudo", "docker"}, "sudo": SudoNoPassword,
				"shell": "/bin/bash", "lock_passwd": true, "ssh_authorized_keys": []any{ed, alice}}}, true},
		{"hashed password unlocks", Spec{Users: []User{{Name: "bob", PasswordHash: testSHA512Hash}}},
			[]any{"default", map[string]any{"name": "bob", "lock_passwd": false, "passwd": testSHA512Hash}}, false},
		{"hashed password kept locked", Spec{Users: []User{{Name: "bob", PasswordHash: testSHA256Hash, LockPasswd: ptr(true)}}},
			[]any{"default", map[string]any{"name": "bob", "lock_passwd": true, "passwd": testSHA256Hash}}, false},
		{"unlocked without password", Spec{Users: []User{{Name: "bob", LockPasswd: ptr(false)}}},
			[]any{"default", map[string]any{"name": "bob", "lock_passwd": false}}, false},
		{"no default user", Spec{NoDefaultUser: true, SSHKeys: []string{ed}, Users: []User{{Name: "ops"}}},
			[]any{map[string]any{"name": "ops", "lock_passwd": true, "ssh_authorized_keys": []any{ed}}}, false},
		{"same key twice kept once", Spec{SSHKeys: []string{ed}, Users: []User{{Name: "ops", SSHKeys: []string{ed + " other-comment"}}}},
			[]any{"default", map[string]any{"name": "ops", "lock_passwd": true, "ssh_authorized_keys": []any{ed}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Hostname, tt.spec.InstanceID = "h", "i"
			keys := mustBuild(t, tt.spec)
			if got := userEntries(t, keys); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("users\n got %#v\nwant %#v", got, tt.want)
			}
			d := mustDecode(t, keys)
			if _, ok := d.Metadata["public-keys-data"]; ok != tt.pubkey {
				t.Errorf("public-keys-data present = %v, want %v", ok, tt.pubkey)
			}
		})
	}
}

func TestExtrasRendered(t *testing.T) {
	keys := mustBuild(t, Spec{Hostname: "h", InstanceID: "i", Timezone: "UTC",
		Packages: []string{"nginx=1.24.0-1", "htop"}, RunCmd: []string{"touch /x"},
		WriteFiles: []File{{Path: "/a", Content: "yes\n", Append: true}, {Path: "/b", Content: "\xff"}}})
	d := mustDecode(t, keys)
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(d.UserData), &cfg); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"users":    []any{"default"},
		"timezone": "UTC",
		"packages": []any{"nginx=1.24.0-1", "htop"},
		"runcmd":   []any{"touch /x"},
		"write_files": []any{
			map[string]any{"path": "/a", "content": "yes\n", "append": true},
			map[string]any{"path": "/b", "content": "/w==", "encoding": "b64"},
		},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("cloud-config\n got %#v\nwant %#v", cfg, want)
	}
}
