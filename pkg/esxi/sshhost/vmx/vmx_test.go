package vmx

import (
	"errors"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{`say "hi"`, "say |22hi|22"},
		{"a|b", "a|7Cb"},
		{"line1\nline2\r\t", "line1|0Aline2|0D|09"},
		{"\x7f", "|7F"},
		{"it's $(reboot) `x` ; rm -rf /", "it's $(reboot) `x` ; rm -rf /"},
		{"Grüße 日本", "Grüße 日本"},
		{"eyJpbnN0YW5jZS1pZCI6Imlp+/==", "eyJpbnN0YW5jZS1pZCI6Imlp+/=="},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back := Unescape(Escape(tt.in)); back != tt.in {
				t.Errorf("Unescape(Escape(%q)) = %q", tt.in, back)
			}
		})
	}
}

func TestUnescapeKeepsStrayBars(t *testing.T) {
	tests := []struct{ in, want string }{
		{"|", "|"},
		{"a|", "a|"},
		{"a|2", "a|2"},
		{"|zz", "|zz"},
		{"|7c|7C", "||"},
		{"x|22y", `x"y`},
	}
	for _, tt := range tests {
		if got := Unescape(tt.in); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckKey(t *testing.T) {
	good := []string{".encoding", "scsi0:0.fileName", "guestinfo.metadata.encoding", "ethernet0.virtualDev", "a-b_c"}
	for _, k := range good {
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q) = %v", k, err)
		}
	}
	bad := []string{"", "a b", "a=b", "a\nb", `a"b`, "a#b", "ключ", strings.Repeat("k", 257)}
	for _, k := range bad {
		if err := CheckKey(k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("CheckKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

func TestFileSetGetBytes(t *testing.T) {
	var f File
	f.Set(".encoding", "UTF-8")
	f.Set("displayName", `web "01"`)
	f.Set("memSize", "1024")
	f.Set("MEMSIZE", "2048") // keys are case-insensitive: replaced in place
	if f.Len() != 3 {
		t.Fatalf("Len = %d", f.Len())
	}
	if v, ok := f.Get("memsize"); !ok || v != "2048" {
		t.Fatalf("Get(memsize) = %q, %v", v, ok)
	}
	if _, ok := f.Get("numvcpus"); ok {
		t.Fatal("Get of a missing key succeeded")
	}
	b, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := ".encoding = \"UTF-8\"\ndisplayName = \"web |2201|22\"\nmemSize = \"2048\"\n"
	if string(b) != want {
		t.Fatalf("Bytes =\n%s\nwant\n%s", b, want)
	}
	f.Set("bad key", "x")
	if _, err := f.Bytes(); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Bytes with a bad key: %v", err)
	}
}

func TestParse(t *testing.T) {
	in := "# written by hand\r\n.encoding = \"UTF-8\"\r\n\r\nconfig.version = 8\n" +
		"displayName = \"a |22quoted|22 name\"\nmemSize=\"4096\"\nmemsize = \"8192\"\nempty = \"\"\n"
	f, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{".encoding", "UTF-8"}, {"config.version", "8"}, {"displayName", `a "quoted" name`}, {"memSize", "8192"}, {"empty", ""}}
	got := f.Entries()
	if len(got) != len(want) {
		t.Fatalf("entries = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"no equals", "displayName \"x\"\n", ErrSyntax},
		{"open quote", "displayName = \"x\n", ErrSyntax},
		{"bad key", "display name = \"x\"\n", ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "line 1") {
				t.Fatalf("err = %v, want %v naming line 1", err, tt.want)
			}
		})
	}
}

func TestGuestOS(t *testing.T) {
	tests := []struct{ id, want string }{
		{"ubuntu64Guest", "ubuntu-64"},
		{"ubuntuGuest", "ubuntu"},
		{"otherLinux64Guest", "otherlinux-64"},
		{"rhel9_64Guest", "rhel9-64"},
		{"debian12_64Guest", "debian12-64"},
		{"centos64Guest", "centos-64"},
		{"windows2019srv_64Guest", "windows2019srv-64"},
		{"windows9Server64Guest", "windows9srv-64"},
		{"otherGuest", "other"},
		{"otherGuest64", "other-64"},
		{"vmkernel8Guest", "vmkernel8"},
		{"other24xLinux64Guest", "other24xlinux-64"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := GuestOS(tt.id); got != tt.want {
				t.Errorf("GuestOS(%s) = %q, want %q", tt.id, got, tt.want)
			}
			if back, ok := GuestID(strings.ToUpper(tt.want)); !ok || back != tt.id {
				t.Errorf("GuestID(%q) = %q, %v", tt.want, back, ok)
			}
		})
	}
	if id, ok := GuestID("no-such-os"); ok {
		t.Errorf("GuestID of an unknown name = %q", id)
	}
}

// TestGuestOSIsOneToOne: every API guest id maps to its own .vmx name, so
// the way back is never ambiguous.
func TestGuestOSIsOneToOne(t *testing.T) {
	seen := map[string]string{}
	for _, id := range types.VirtualMachineGuestOsIdentifier("").Values() {
		name := GuestOS(string(id))
		if other, dup := seen[name]; dup {
			t.Errorf("%s and %s both map to %q", other, id, name)
		}
		seen[name] = string(id)
		if back, ok := GuestID(name); !ok || back != string(id) {
			t.Errorf("GuestID(GuestOS(%s)) = %q, %v", id, back, ok)
		}
	}
}
