package vm

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/vmware/govmomi/vim25/types"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"web01", true},
		{"Web Server (prod) #1", true},
		{"日本語-vm", true},
		{strings.Repeat("a", 80), true},
		{strings.Repeat("é", 80), true},
		{"", false},
		{strings.Repeat("a", 81), false},
		{"a/b", false},
		{`a\b`, false},
		{"50%", false},
		{"tab\there", false},
		{"nl\n", false},
		{".", false},
		{"..", false},
		{" lead", false},
		{"trail ", false},
		{"bad\xffutf8", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateName(%q) = %v", tt.name, err)
			}
			if err != nil && (!errors.Is(err, ErrInvalidName) || errkind.Of(err) != errkind.Usage) {
				t.Fatalf("error %v is not ErrInvalidName", err)
			}
		})
	}
}

// FuzzValidateName checks that every accepted name keeps the rule.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"web01", "a/b", "..", " x", "50%", "\x00", strings.Repeat("z", 90)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateName(name) != nil {
			return
		}
		n := utf8.RuneCountInString(name)
		if n == 0 || n > MaxNameLength || !utf8.ValidString(name) || strings.ContainsAny(name, `/\%`) ||
			name == "." || name == ".." || strings.TrimSpace(name) != name {
			t.Fatalf("accepted %q", name)
		}
		for _, r := range name {
			if unicode.IsControl(r) {
				t.Fatalf("accepted control character in %q", name)
			}
		}
		if ds, rel, ok := splitDSPath(dsPath("datastore1", name+"/"+name+".vmx")); !ok || ds != "datastore1" || vmFolder(dsPath(ds, rel)) != dsPath(ds, name) {
			t.Fatalf("paths of %q do not round-trip", name)
		}
	})
}

func TestPaths(t *testing.T) {
	tests := []struct{ vmx, folder string }{
		{"[datastore1] web01/web01.vmx", "[datastore1] web01"},
		{"[ds 2] a b/c/c.vmx", "[ds 2] a b/c"},
		{"[datastore1] root.vmx", ""},
		{"no brackets", ""},
	}
	for _, tt := range tests {
		if got := vmFolder(tt.vmx); got != tt.folder {
			t.Errorf("vmFolder(%q) = %q, want %q", tt.vmx, got, tt.folder)
		}
	}
	if got := shellPath("[datastore1] it's/x.vmdk"); got != `'/vmfs/volumes/datastore1/it'\''s/x.vmdk'` {
		t.Errorf("shellPath: %s", got)
	}
	if got := removeVMHint(VMRef{ID: "12", Name: "web 01"}); !strings.Contains(got, "ceso vm delete 'web 01' --force") || !strings.Contains(got, "vim-cmd vmsvc/destroy 12") {
		t.Errorf("hint: %s", got)
	}
}

func TestFormatBytes(t *testing.T) {
	for in, want := range map[int64]string{0: "0 B", 1023: "1023 B", 64 << 20: "64 MiB", 20 << 30: "20 GiB", 3 << 29: "1.5 GiB"} {
		if got := FormatBytes(in); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestPickIP(t *testing.T) {
	nic := func(ips ...string) types.GuestNicInfo { return types.GuestNicInfo{IpAddress: ips} }
	tests := []struct {
		primary string
		nets    []types.GuestNicInfo
		want    string
	}{
		{"", nil, ""},
		{"192.0.2.5", nil, "192.0.2.5"},
		{"fe80::1", []types.GuestNicInfo{nic("fe80::1", "2001:db8::5")}, "2001:db8::5"},
		{"2001:db8::5", []types.GuestNicInfo{nic("2001:db8::5", "192.0.2.9")}, "192.0.2.9"},
		{"127.0.0.1", []types.GuestNicInfo{nic("169.254.3.3")}, ""},
		{"garbage", nil, ""},
	}
	for _, tt := range tests {
		if got := pickIP(tt.primary, tt.nets); got != tt.want {
			t.Errorf("pickIP(%q, %v) = %q, want %q", tt.primary, tt.nets, got, tt.want)
		}
	}
}
