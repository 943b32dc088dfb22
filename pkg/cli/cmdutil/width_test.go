package cmdutil

import (
	"strings"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{
		"web01": 5, "ウェブ": 6, "数据库01": 8, "ｗｅｂ": 6, "café": 4, "cafe\u0301": 4, "한국": 4, "": 0, "a\u200bb": 2,
	} {
		if got := DisplayWidth(s); got != want {
			t.Errorf("DisplayWidth(%q) = %d, want %d", s, got, want)
		}
	}
	for _, tt := range []struct {
		s    string
		w    int
		want string
	}{
		{"web01", 5, "web01"}, {"web01", 4, "web…"}, {"ウェブサーバ", 7, "ウェブ…"}, {"ウェブサーバ", 6, "ウェ…"}, {"abc", 0, ""},
	} {
		if got := Truncate(tt.s, tt.w); got != tt.want || DisplayWidth(got) > tt.w {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
		}
	}
}

// TestTableAlignsWideCharacters: columns line up by display width, so a
// CJK name does not push its row out of line.
func TestTableAlignsWideCharacters(t *testing.T) {
	io, _, out, _ := Test()
	io.OutTTY = true
	tb := NewTable(io, "NAME", "POWER", "IP")
	tb.Row("ウェブ01", "poweredOn", "10.0.0.1")
	tb.Row("db", "poweredOff", "-")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "NAME      POWER       IP\n" +
		"ウェブ01  poweredOn   10.0.0.1\n" +
		"db        poweredOff  -\n"
	if out.String() != want {
		t.Fatalf("table\n%s\nwant\n%s", out, want)
	}
	// Every row's columns start at the same display column.
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		i := strings.Index(line, "p")
		if i < 0 {
			i = strings.Index(line, "POWER")
		}
		if DisplayWidth(line[:i]) != 10 {
			t.Errorf("POWER column of %q starts at %d", line, DisplayWidth(line[:i]))
		}
	}
}

// TestTableFitsTheTerminal: on a terminal of known width long values are
// cut so that each row fits; in a pipe they are whole.
func TestTableFitsTheTerminal(t *testing.T) {
	long := strings.Repeat("very-long-vm-name-", 6) + "end"
	rows := [][]string{{long, "poweredOn", "[datastore1] " + long + "/" + long + ".vmx"}, {"web01", "poweredOff", "[datastore1] web01/web01.vmx"}}
	for _, width := range []int{40, 60, 80} {
		io, _, out, _ := Test()
		io.OutTTY, io.Width = true, width
		tb := NewTable(io, "NAME", "POWER", "PATH")
		for _, r := range rows {
			tb.Row(r[0], r[1], r[2])
		}
		_ = tb.Flush()
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if DisplayWidth(line) > width {
				t.Errorf("width %d: line of %d columns: %q", width, DisplayWidth(line), line)
			}
		}
		if !strings.Contains(out.String(), "…") || !strings.Contains(out.String(), "poweredOff") {
			t.Errorf("width %d:\n%s", width, out)
		}
	}
	io, _, out, _ := Test()
	io.Width = 40 // a width but no terminal: a pipe gets whole values
	tb := NewTable(io, "NAME", "POWER", "PATH")
	tb.Row(rows[0][0], rows[0][1], rows[0][2])
	_ = tb.Flush()
	if out.String() != strings.Join(rows[0], "\t")+"\n" {
		t.Fatalf("pipe: %q", out)
	}
}
