package vmx

import (
	"bytes"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(".encoding = \"UTF-8\"\ndisplayName = \"web |2201|22\"\n"))
	f.Add([]byte("# comment\n\nmemSize = 2048\r\n"))
	f.Add([]byte("a = \"\nb = |\n"))
	f.Add([]byte("=\"x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		// What parsed renders, and the rendering parses back to the same
		// settings.
		out, err := file.Bytes()
		if err != nil {
			t.Fatalf("a parsed file does not render: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("rendering does not parse: %v\n%s", err, out)
		}
		a, b := file.Entries(), again.Entries()
		if len(a) != len(b) {
			t.Fatalf("%d entries, then %d", len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("entry %d: %q then %q", i, a[i], b[i])
			}
		}
		out2, _ := again.Bytes()
		if !bytes.Equal(out, out2) {
			t.Fatal("rendering is not stable")
		}
	})
}

func FuzzEscape(f *testing.F) {
	f.Add("plain")
	f.Add(`"|` + "\n\x00\x7f")
	f.Add("|22|7C")
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if got := Unescape(e); got != s {
			t.Fatalf("Unescape(Escape(%q)) = %q", s, got)
		}
		for i := 0; i < len(e); i++ {
			if e[i] == '"' || e[i] < 0x20 || e[i] == 0x7f {
				t.Fatalf("Escape(%q) = %q keeps byte %q", s, e, e[i])
			}
		}
	})
}
