package archive

import (
	"errors"
	"strings"
	"testing"
)

func TestRenameDiskReferences(t *testing.T) {
	good := readDescriptor(t)
	tests := []struct {
		name, old, new string
		files          []FileRef
		want           string // a substring of the result; "" for an error
		say            string
	}{
		{"renamed", "", "", []FileRef{{"db-disk-0.vmdk", 42}}, `<File ovf:href="db-disk-0.vmdk" ovf:id="file1" ovf:size="42"/>`, ""},
		{"size added", ` ovf:size="6295552"`, "", []FileRef{{"a&b.vmdk", 7}}, `<File ovf:href="a&amp;b.vmdk" ovf:size="7" ovf:id="file1"/>`, ""},
		{"dollar kept", "", "", []FileRef{{"a$1.vmdk", 1}}, `ovf:href="a$1.vmdk"`, ""},
		{"other files kept", "</References>", `<File ovf:href="web.nvram" ovf:id="file2" ovf:size="8"/></References>`,
			[]FileRef{{"x.vmdk", 1}}, `<File ovf:href="web.nvram" ovf:id="file2" ovf:size="8"/>`, ""},
		{"too many files", "", "", []FileRef{{"a", 1}, {"b", 2}}, "", "1 disks in the descriptor, 2 files"},
		{"no element", `ovf:id="file1"`, `ovf:id="file9"`, []FileRef{{"a", 1}}, "", `no File element "file1"`},
		{"twice", "</References>", `<File ovf:href="x" ovf:id="file1"/></References>`, []FileRef{{"a", 1}}, "", "not one File element"},
		{"no href", `ovf:href="web-disk-0.vmdk" `, "", []FileRef{{"a", 1}}, "", "not one File element"},
		{"no file ref", `ovf:fileRef="file1"`, "", []FileRef{{"a", 1}}, "", "refers to no file"},
		{"not xml", "<Envelope", "<<Envelope", []FileRef{{"a", 1}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			if tt.old != "" {
				in = strings.Replace(good, tt.old, tt.new, 1)
				if in == good {
					t.Fatalf("%q not in the sample", tt.old)
				}
			}
			out, err := RenameDiskReferences([]byte(in), tt.files)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidDescriptor) || !strings.Contains(err.Error(), tt.say) {
					t.Fatalf("err = %v, want ErrInvalidDescriptor saying %q", err, tt.say)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Fatalf("result lacks %q:\n%s", tt.want, out)
			}
			d, err := ParseDescriptor(out)
			if err != nil || d.Disks[0].File != tt.files[0].Name {
				t.Fatalf("result parses as %+v, %v", d, err)
			}
		})
	}
}
