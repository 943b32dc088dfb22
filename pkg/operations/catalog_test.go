package operations

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/ops"
)

// TestCatalogIsComplete walks the catalog: every operation has a dotted
// name, a summary, a class, both schemas and a plan and a run.
func TestCatalogIsComplete(t *testing.T) {
	defs := Catalog()
	if len(defs) < 15 {
		t.Fatalf("%d operations", len(defs))
	}
	seen := map[string]bool{}
	for i, d := range defs {
		if i > 0 && defs[i-1].Name() >= d.Name() {
			t.Errorf("catalog not sorted at %s", d.Name())
		}
		if seen[d.Name()] || !strings.Contains(d.Name(), ".") || d.Summary() == "" {
			t.Errorf("%q: duplicate, not noun.verb, or no summary", d.Name())
		}
		seen[d.Name()] = true
		if d.Class() == ops.ClassUnknown {
			t.Errorf("%s has no class", d.Name())
		}
		for _, c := range d.Classes() {
			if c == ops.ClassUnknown {
				t.Errorf("%s can take no class", d.Name())
			}
		}
		in, err := d.InputSchema()
		if err != nil || in == nil || in.Type != "object" {
			t.Errorf("%s input schema: %v %v", d.Name(), in, err)
		}
		out, err := d.OutputSchema()
		if err != nil || out == nil {
			t.Errorf("%s output schema: %v", d.Name(), err)
		}
		if got, ok := Lookup(d.Name()); !ok || got != d {
			t.Errorf("Lookup(%s)", d.Name())
		}
	}
	if _, ok := Lookup("vm.teleport"); ok {
		t.Error("Lookup found an operation that does not exist")
	}
}

func TestClassesFollowParams(t *testing.T) {
	tests := []struct {
		got, want ops.Class
	}{
		{VMPower.ClassOf(VMPowerParams{Action: "on"}), ops.ClassWrite},
		{VMPower.ClassOf(VMPowerParams{Action: "suspend"}), ops.ClassWrite},
		{VMPower.ClassOf(VMPowerParams{Action: "shutdown"}), ops.ClassWrite},
		{VMPower.ClassOf(VMPowerParams{Action: "shutdown", Force: true}), ops.ClassDestructive},
		{VMPower.ClassOf(VMPowerParams{Action: "off"}), ops.ClassDestructive},
		{VMPower.ClassOf(VMPowerParams{Action: "reset"}), ops.ClassDestructive},
		{BackupRestore.ClassOf(BackupRestoreParams{AsNew: "x"}), ops.ClassWrite},
		{BackupRestore.ClassOf(BackupRestoreParams{Replace: true}), ops.ClassDestructive},
		{VMDelete.ClassOf(VMDeleteParams{}), ops.ClassDestructive},
		{VMList.ClassOf(VMListParams{}), ops.ClassRead},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: class %s, want %s", i, tt.got, tt.want)
		}
	}
}

func TestDecodeIsStrict(t *testing.T) {
	p, err := Decode[VMPowerParams](json.RawMessage(`{"action":"on","names":["a"],"shutdown_timeout":"90s"}`))
	if err != nil || p.Action != "on" || time.Duration(p.ShutdownTimeout) != 90*time.Second {
		t.Fatalf("%+v %v", p, err)
	}
	for _, bad := range []string{`{"action":"on","nmes":["a"]}`, `{"action":1}`, `{"action":"on"} {}`, `{"shutdown_timeout":"soon"}`, `{"shutdown_timeout":90}`} {
		if _, err := Decode[VMPowerParams](json.RawMessage(bad)); !errors.Is(err, ErrInvalidParams) || errkind.Of(err) != errkind.Usage {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if p, err := Decode[VMListParams](nil); err != nil || p != (VMListParams{}) {
		t.Fatalf("empty params: %+v %v", p, err)
	}
	b, _ := json.Marshal(Duration(5 * time.Minute))
	if string(b) != `"5m0s"` {
		t.Fatalf("duration JSON %s", b)
	}
}

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@example"

func TestAuditParamsHideSecretsAndKeys(t *testing.T) {
	p := VMCreateParams{Name: "web01", Template: "tpl", CloudInit: cloudinit.Spec{
		SSHKeys:     []string{testKey},
		Users:       []cloudinit.User{{Name: "bob", PasswordHash: "$6$salt$hash", SSHKeys: []string{testKey}}},
		CloudConfig: []byte("#cloud-config\nwrite_files: [{path: /etc/token, content: s3cret}]\n"),
	}}
	p.CPU = 2
	hash := func(s string) string { return "hmac-sha256:" + strings.Repeat("0", len(s)%7+1) }
	b, err := auditParams(p, hash)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, leak := range []string{"AAAAC3Nza", "$6$salt", "s3cret", "alice@example"} {
		if strings.Contains(s, leak) {
			t.Errorf("audit params hold %q: %s", leak, s)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	ci := m["cloud_init"].(map[string]any)
	if m["cpu"].(float64) != 2 || m["name"] != "web01" || !strings.HasPrefix(ci["cloud_config"].(string), "hmac-sha256:") {
		t.Fatalf("params %s", s)
	}
	if k := ci["ssh_keys"].([]any)[0].(string); !strings.HasPrefix(k, "SHA256:") {
		t.Fatalf("key recorded as %q", k)
	}
	u := ci["users"].([]any)[0].(map[string]any)
	if !strings.HasPrefix(u["password_hash"].(string), "hmac-sha256:") || u["name"] != "bob" {
		t.Fatalf("user %v", u)
	}
	// Unset secrets stay null, not the hash of "".
	b, _ = auditParams(VMCreateParams{Name: "x"}, hash)
	if strings.Contains(string(b), "hmac") {
		t.Fatalf("an empty secret was hashed: %s", b)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	neg := -1
	tests := []struct {
		name string
		p    Params
		want string // "" = valid
	}{
		{"list ok", VMListParams{Name: "web*", PowerState: "on"}, ""},
		{"list bad state", VMListParams{PowerState: "sideways"}, "power state"},
		{"list bad glob", VMListParams{Name: "[x"}, "name pattern"},
		{"info empty", VMInfoParams{Name: " "}, "name"},
		{"create ok", VMCreateParams{Name: "web01", Template: "t"}, ""},
		{"create no template", VMCreateParams{Name: "web01"}, "template"},
		{"create cpu", VMCreateParams{Name: "web01", Template: "t", Hardware: Hardware{CPU: 769}}, "cpu 769"},
		{"create memory", VMCreateParams{Name: "web01", Template: "t", Hardware: Hardware{MemoryMB: MaxMemoryMB + 1}}, "memory_mb"},
		{"create small memory", VMCreateParams{Name: "web01", Template: "t", Hardware: Hardware{MemoryMB: 2}}, "memory_mb"},
		{"create disk", VMCreateParams{Name: "web01", Template: "t", Hardware: Hardware{DiskSizeBytes: MaxDiskBytes + 1}}, "disk_size_bytes"},
		{"create negative disk", VMCreateParams{Name: "web01", Template: "t", Hardware: Hardware{DiskSizeBytes: -1}}, "disk_size_bytes"},
		{"create wait without power", VMCreateParams{Name: "web01", Template: "t", PowerOnWait: PowerOnWait{WaitIP: Duration(time.Minute)}}, "wait_ip"},
		{"create bad hostname", VMCreateParams{Name: "web01", Template: "t", CloudInit: cloudinit.Spec{Hostname: "-bad-"}}, "hostname"},
		{"create bad name", VMCreateParams{Name: "a/b", Template: "t"}, "name"},
		{"clone ok", VMCloneParams{Source: "a", Name: "b"}, ""},
		{"clone no source", VMCloneParams{Name: "b"}, "source"},
		{"clone both", VMCloneParams{Source: "a", Name: "b", PowerOffSource: true, Snapshot: true}, "exclude"},
		{"clone timeout", VMCloneParams{Source: "a", Name: "b", ShutdownTimeout: -1}, "shutdown_timeout"},
		{"delete", VMDeleteParams{}, "name"},
		{"power ok", VMPowerParams{Action: "on", Names: []string{"a"}}, ""},
		{"power action", VMPowerParams{Action: "explode", Names: []string{"a"}}, "action"},
		{"power both", VMPowerParams{Action: "on", Names: []string{"a"}, All: true}, "not both"},
		{"power none", VMPowerParams{Action: "on"}, "at least one"},
		{"power match", VMPowerParams{Action: "on", Names: []string{"a"}, Match: "x"}, "match goes with all"},
		{"power bad glob", VMPowerParams{Action: "on", All: true, Match: "[x"}, "match"},
		{"power parallel", VMPowerParams{Action: "on", Names: []string{"a"}, Parallel: 65}, "parallel"},
		{"power timeout", VMPowerParams{Action: "on", Names: []string{"a"}, ShutdownTimeout: -1}, "shutdown_timeout"},
		{"power bad name", VMPowerParams{Action: "on", Names: []string{""}}, "name"},
		{"backup create", BackupCreateParams{VM: ""}, "name"},
		{"backup create timeout", BackupCreateParams{VM: "a", ShutdownTimeout: -1}, "shutdown_timeout"},
		{"verify neither", BackupVerifyParams{}, "id"},
		{"verify vm without all", BackupVerifyParams{ID: "x", VM: "a"}, "vm goes with all"},
		{"restore no id", BackupRestoreParams{AsNew: "a"}, "id"},
		{"restore both", BackupRestoreParams{ID: "x", AsNew: "a", Replace: true}, "exclude each other"},
		{"restore neither", BackupRestoreParams{ID: "x"}, "as_new"},
		{"restore accounts", BackupRestoreParams{ID: "x", AsNew: "a", CloudInit: cloudinit.Spec{SSHKeys: []string{testKey}}}, "keeps the backup's users"},
		{"restore map", BackupRestoreParams{ID: "x", AsNew: "a", NetworkMap: map[string]string{"a": ""}}, "network_map"},
		{"restore bad name", BackupRestoreParams{ID: "x", AsNew: "a/b"}, "name"},
		{"restore timeout", BackupRestoreParams{ID: "x", Replace: true, ShutdownTimeout: -1}, "shutdown_timeout"},
		{"backup delete", BackupDeleteParams{}, "id"},
		{"prune negative", BackupPruneParams{KeepLast: &neg}, "keep_last -1"},
		{"render no hostname", CloudInitRenderParams{}, "hostname"},
		{"render bad name", CloudInitRenderParams{Name: "a/b"}, "name"},
		{"render ok", CloudInitRenderParams{Name: "web01"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("valid params refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestTargets(t *testing.T) {
	for _, tt := range []struct {
		p    Params
		want string
	}{
		{VMListParams{}, "*"},
		{VMListParams{Name: "web*"}, "web*"},
		{VMPowerParams{All: true, Match: "lab-*"}, "all:lab-*"},
		{BackupVerifyParams{All: true}, "all:"},
		{BackupRestoreParams{ID: "i", Replace: true}, "the VM of backup i"},
		{BackupRestoreParams{ID: "i", AsNew: "n"}, "n"},
		{BackupPruneParams{}, "*"},
		{BackupPruneParams{VM: "a"}, "a"},
		{CloudInitRenderParams{Name: "web01"}, "web01"},
		{BackupCleanParams{}, "*"},
		{ConfigValidateParams{}, "configuration"},
		{BackupCreateParams{VM: "a"}, "a"},
		{BackupDeleteParams{ID: "i"}, "i"},
		{BackupListParams{VM: "v"}, "v"},
		{VMCloneParams{Name: "b"}, "b"},
		{VMInfoParams{Name: "b"}, "b"},
		{VMDeleteParams{Name: "b"}, "b"},
		{VMCreateParams{Name: "b"}, "b"},
		{BackupVerifyParams{ID: "x"}, "x"},
	} {
		if got := tt.p.Target(); got != tt.want {
			t.Errorf("%T: target %q, want %q", tt.p, got, tt.want)
		}
	}
}
