package ssh

import (
	"errors"
	"testing"
)

func TestDatastorePathToShell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[datastore1] dir/file.vmx", "/vmfs/volumes/datastore1/dir/file.vmx"},
		{"[datastore1]", "/vmfs/volumes/datastore1"},
		{"[datastore1] ", "/vmfs/volumes/datastore1"},
		{"[datastore1] dir/", "/vmfs/volumes/datastore1/dir"},
		{"[datastore1] ./dir//file.vmdk", "/vmfs/volumes/datastore1/dir/file.vmdk"},
		{"[SSD pool (2)] web 1/web 1.vmx", "/vmfs/volumes/SSD pool (2)/web 1/web 1.vmx"},
		{"[ds]dir/x.vmx", "/vmfs/volumes/ds/dir/x.vmx"},
		{"[] /var/run/crx/infra/v/v.vmx", "/var/run/crx/infra/v/v.vmx"},
		{"[5f1e2d3c-aabbccdd-1122-001b21a2bb8e] x/x.vmx", "/vmfs/volumes/5f1e2d3c-aabbccdd-1122-001b21a2bb8e/x/x.vmx"},
		{"[ds] it's $(x)/`y`.vmx", "/vmfs/volumes/ds/it's $(x)/`y`.vmx"},
		{"[ds] a..b/c..vmx", "/vmfs/volumes/ds/a..b/c..vmx"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := DatastorePathToShell(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDatastorePathToShellRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		"datastore1/dir",
		"/vmfs/volumes/ds/x",
		"[datastore1 dir/x",
		"[ds] ../x",
		"[ds] a/../../x",
		"[ds] a/..",
		"[] /vmfs/../etc/passwd",
		"[] relative/path",
		"[]",
		"[ds] /abs",
		"[..] x",
		"[.] x",
		"[a/b] x",
		"[a[b] x",
		"[ds] a\nb",
		"[ds] a\x00b",
		"[ds] a\x7fb",
	} {
		t.Run(in, func(t *testing.T) {
			if got, err := DatastorePathToShell(in); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("got %q, %v; want ErrInvalidArgument", got, err)
			}
		})
	}
}

func TestShellToDatastorePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/vmfs/volumes/datastore1/dir/file.vmx", "[datastore1] dir/file.vmx"},
		{"/vmfs/volumes/datastore1", "[datastore1]"},
		{"/vmfs/volumes/datastore1/", "[datastore1]"},
		{"/vmfs/volumes/SSD pool/web 1//web 1.vmx", "[SSD pool] web 1/web 1.vmx"},
		{"/var/run/crx/v.vmx", "[] /var/run/crx/v.vmx"},
		{"/vmfs/volumes", "[] /vmfs/volumes"},
		{"/vmfs/volumes/a]b/x", "[] /vmfs/volumes/a]b/x"},
		{"/", "[] /"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ShellToDatastorePath(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	for _, in := range []string{"", "relative/x", "/vmfs/volumes/ds/../x", "/a\nb"} {
		if got, err := ShellToDatastorePath(in); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("ShellToDatastorePath(%q) = %q, %v; want ErrInvalidArgument", in, got, err)
		}
	}
}

func TestDatastorePathString(t *testing.T) {
	tests := []struct {
		p    DatastorePath
		want string
	}{
		{DatastorePath{Datastore: "ds", Path: "a/b.vmx"}, "[ds] a/b.vmx"},
		{DatastorePath{Datastore: "ds"}, "[ds]"},
		{DatastorePath{Path: "/x"}, "[] /x"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
		back, err := ParseDatastorePath(tt.p.String())
		if err != nil || back != tt.p {
			t.Errorf("ParseDatastorePath(%q) = %+v, %v; want %+v", tt.p.String(), back, err, tt.p)
		}
	}
}
