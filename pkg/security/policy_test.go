package security

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// policyFile writes a policy in a fresh directory with the given mode and
// owner, and makes the directories above it enterable.
func policyFile(t *testing.T, body string, mode os.FileMode, uid, gid int) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		t.Skipf("cannot chown here: %v", err)
	}
	return path
}

func asUser(uid int, groups ...int) PolicyLoader {
	return PolicyLoader{Getuid: func() int { return uid }, Groups: func() ([]int, error) { return groups, nil }}
}

func TestPolicyTrust(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give files other owners")
	}
	const body = "max_mode: standard\n"
	tests := []struct {
		name     string
		mode     os.FileMode
		uid, gid int
		loader   PolicyLoader
		dirMode  os.FileMode // 0: leave as made
		want     string      // "" when trusted
	}{
		{"root 0644, read by a user", 0o644, 0, 0, asUser(1000, 1000), 0, ""},
		{"root 0644, read by root", 0o644, 0, 0, PolicyLoader{}, 0, ""},
		{"root 0664 in the user's group", 0o664, 0, 1000, asUser(1000, 1000), 0, "through group 1000"},
		{"root 0664 in another group", 0o664, 0, 50, asUser(1000, 1000), 0, ""},
		{"world-writable", 0o646, 0, 0, asUser(1000, 1000), 0, "writable by everyone"},
		{"owned by the user", 0o644, 1000, 1000, asUser(1000, 1000), 0, "owned by uid 1000"},
		{"owned by another user", 0o644, 1001, 1001, asUser(1000, 1000), 0, "owned by uid 1001"},
		{"owned by a trusted administrator", 0o644, 1001, 1001,
			PolicyLoader{Getuid: func() int { return 1000 }, Groups: func() ([]int, error) { return nil, nil }, TrustedOwners: []int{0, 1001}}, 0, ""},
		{"owned by the running administrator", 0o444, 1001, 1001,
			PolicyLoader{Getuid: func() int { return 1001 }, Groups: func() ([]int, error) { return nil, nil }, TrustedOwners: []int{0, 1001}}, 0, "as its owner"},
		{"writable directory", 0o644, 0, 0, asUser(1000, 1000), 0o777, "directory"},
		{"sticky writable directory", 0o644, 0, 0, asUser(1000, 1000), 0o777 | fs.ModeSticky, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := policyFile(t, body, tt.mode, tt.uid, tt.gid)
			if tt.dirMode != 0 {
				if err := os.Chmod(filepath.Dir(path), tt.dirMode); err != nil {
					t.Fatal(err)
				}
			}
			p, err := tt.loader.Load(path)
			if tt.want == "" {
				if err != nil || p.MaxMode != "standard" || p.Sources[0] != path {
					t.Fatalf("%+v %v", p, err)
				}
				return
			}
			if !errors.Is(err, ErrPolicyUntrusted) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrPolicyUntrusted saying %q", err, tt.want)
			}
		})
	}
}

func TestPolicyRefusesSymlinksAndOddFiles(t *testing.T) {
	path := policyFile(t, "max_mode: standard\n", 0o644, os.Getuid(), os.Getgid())
	link := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	l := PolicyLoader{TrustedOwners: []int{os.Getuid()}}
	if _, err := l.Load(link); !errors.Is(err, ErrPolicyUntrusted) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("symlink: %v", err)
	}
	if _, err := l.Load(filepath.Dir(path)); !errors.Is(err, ErrPolicyUntrusted) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("directory: %v", err)
	}
	if _, err := l.Load(filepath.Join(t.TempDir(), "none.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
	l.Groups = func() ([]int, error) { return nil, errors.New("no groups") }
	if _, err := l.Load(path); !errors.Is(err, ErrPolicyUntrusted) {
		t.Fatalf("groups unknown: %v", err)
	}
}

func TestPolicyParse(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // error text, "" for success
	}{
		{"full", "max_mode: read-only\npromotion_public_key: /etc/ceso/promote.pub\nmax_promotion: 30m\nallowed_ops: [vm.list, vm.info]\n", ""},
		{"empty", "", ""},
		{"unknown key", "max_mode: standard\nmode: unrestricted\n", "field mode not found"},
		{"bad mode", "max_mode: yolo\n", "max_mode"},
		{"bad duration", "max_promotion: soon\n", "max_promotion"},
		{"negative duration", "max_promotion: -5m\n", "max_promotion"},
		{"relative key", "promotion_public_key: promote.pub\n", "absolute path"},
		{"empty op", "allowed_ops: [vm.list, '']\n", "allowed_ops[1]"},
		{"not YAML", "max_mode: [\n", "policy.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := policyFile(t, tt.body, 0o644, os.Getuid(), os.Getgid())
			p, err := PolicyLoader{TrustedOwners: []int{os.Getuid()}}.Load(path)
			if tt.want != "" {
				if !errors.Is(err, ErrPolicyInvalid) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want ErrPolicyInvalid saying %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "full" && (p.MaxMode != "restricted" || p.MaxPromotion != 30*time.Minute || len(p.AllowedOps) != 2 || p.PromotionPublicKey != "/etc/ceso/promote.pub") {
				t.Fatalf("%+v", p)
			}
		})
	}
	big := policyFile(t, "# "+strings.Repeat("x", maxPolicySize)+"\n", 0o644, os.Getuid(), os.Getgid())
	if _, err := (PolicyLoader{TrustedOwners: []int{os.Getuid()}}).Load(big); !errors.Is(err, ErrPolicyInvalid) {
		t.Fatalf("big: %v", err)
	}
}

func TestLoadSystemAddsNeverReplaces(t *testing.T) {
	me := PolicyLoader{TrustedOwners: []int{os.Getuid()}}
	sys := policyFile(t, "max_mode: standard\nmax_promotion: 30m\nallowed_ops: [vm.list, vm.create, vm.delete]\npromotion_public_key: /etc/ceso/a.pub\n", 0o644, os.Getuid(), os.Getgid())
	stricter := policyFile(t, "max_mode: restricted\nmax_promotion: 1h\nallowed_ops: [vm.delete, backup.list]\n", 0o644, os.Getuid(), os.Getgid())
	looser := policyFile(t, "max_mode: unrestricted\npromotion_public_key: /etc/ceso/a.pub\n", 0o644, os.Getuid(), os.Getgid())
	otherKey := policyFile(t, "promotion_public_key: /home/agent/mine.pub\n", 0o644, os.Getuid(), os.Getgid())
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == PolicyEnv {
				return v
			}
			return ""
		}
	}
	me.Path = filepath.Join(t.TempDir(), "absent.yaml")
	if p, err := me.LoadSystem(env("")); p != nil || err != nil {
		t.Fatalf("no policy: %+v %v", p, err)
	}
	if p, err := me.LoadSystem(nil); p != nil || err != nil {
		t.Fatalf("no env: %+v %v", p, err)
	}
	if p, err := me.LoadSystem(env(stricter)); err != nil || p.MaxMode != "restricted" {
		t.Fatalf("env only: %+v %v", p, err)
	}
	if _, err := me.LoadSystem(env(filepath.Join(t.TempDir(), "typo.yaml"))); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), PolicyEnv) {
		t.Fatalf("missing env file: %v", err)
	}

	me.Path = sys
	p, err := me.LoadSystem(env(stricter))
	if err != nil {
		t.Fatal(err)
	}
	if p.MaxMode != "restricted" || p.MaxPromotion != 30*time.Minute || strings.Join(p.AllowedOps, ",") != "vm.delete" ||
		p.PromotionPublicKey != "/etc/ceso/a.pub" || len(p.Sources) != 2 {
		t.Fatalf("merged %+v", p)
	}
	// CESO_POLICY pointing at a looser file changes nothing.
	if p, err := me.LoadSystem(env(looser)); err != nil || p.MaxMode != "standard" || p.MaxPromotion != 30*time.Minute {
		t.Fatalf("looser: %+v %v", p, err)
	}
	if p, err := me.LoadSystem(env(sys)); err != nil || len(p.Sources) != 1 {
		t.Fatalf("same file twice: %+v %v", p, err)
	}
	if _, err := me.LoadSystem(env(otherKey)); !errors.Is(err, ErrPolicyInvalid) || !strings.Contains(err.Error(), "different promotion keys") {
		t.Fatalf("other key: %v", err)
	}
	// An untrusted system policy is an error, not a policy skipped.
	if _, err := (PolicyLoader{Path: sys, TrustedOwners: []int{4242}}).LoadSystem(env("")); !errors.Is(err, ErrPolicyUntrusted) {
		t.Fatalf("untrusted system policy: %v", err)
	}
}

func TestPolicyCapsTheConfiguration(t *testing.T) {
	path := policyFile(t, "max_mode: standard\n", 0o644, os.Getuid(), os.Getgid())
	p, err := PolicyLoader{Path: path, TrustedOwners: []int{os.Getuid()}}.LoadSystem(nil)
	if err != nil {
		t.Fatal(err)
	}
	// An agent that edits its own config to unrestricted gets nothing more.
	if _, err := EffectiveMode("unrestricted", "", p.MaxMode); !errors.Is(err, ErrAbovePolicy) {
		t.Fatalf("got %v", err)
	}
	if m, err := EffectiveMode("standard", "restricted", p.MaxMode); err != nil || m != "restricted" {
		t.Fatalf("%q %v", m, err)
	}
}

func TestMergeNil(t *testing.T) {
	a := &Policy{MaxMode: "standard"}
	if p, _ := Merge(nil, a); p != a {
		t.Fatal("nil, a")
	}
	if p, _ := Merge(a, nil); p != a {
		t.Fatal("a, nil")
	}
	if p, _ := Merge(&Policy{}, &Policy{MaxMode: "restricted", MaxPromotion: time.Minute, PromotionPublicKey: "/k"}); p.MaxMode != "restricted" || p.MaxPromotion != time.Minute || p.PromotionPublicKey != "/k" {
		t.Fatalf("%+v", p)
	}
}
