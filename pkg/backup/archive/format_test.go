package archive

import "testing"

func TestSniffDiskFormat(t *testing.T) {
	tests := map[string]string{
		"KDMV\x03\x00\x00\x00":  DiskStreamOptimized,
		"KDM":                   DiskFlat,
		"":                      DiskFlat,
		"\x00\x00\x00\x00":      DiskFlat,
		"# Disk DescriptorFile": DiskFlat,
	}
	for head, want := range tests {
		if got := SniffDiskFormat([]byte(head)); got != want {
			t.Errorf("SniffDiskFormat(%q) = %q, want %q", head, got, want)
		}
	}
}
