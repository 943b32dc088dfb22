package ssh

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"vim-cmd", "vim-cmd"},
		{"vmsvc/power.on", "vmsvc/power.on"},
		{"/vmfs/volumes/datastore1/a_b/c-d.vmx", "/vmfs/volumes/datastore1/a_b/c-d.vmx"},
		{"a=b,c:d@e%f+g", "a=b,c:d@e%f+g"},
		{"vm 1", "'vm 1'"},
		{"it's", `'it'\''s'`},
		{"'", `''\'''`},
		{"$(reboot)", "'$(reboot)'"},
		{"`id`", "'`id`'"},
		{"*.vmx", "'*.vmx'"},
		{"~root", "'~root'"},
		{"a\nb", "'a\nb'"},
		{"#x", "'#x'"},
		{"é", "'é'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCommandString(t *testing.T) {
	c := Command{Argv: []string{"vim-cmd", "solo/registervm", "/vmfs/volumes/SSD pool/it's $(x)/a.vmx"}}
	want := `vim-cmd solo/registervm '/vmfs/volumes/SSD pool/it'\''s $(x)/a.vmx'`
	if got := c.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestCommandValidate(t *testing.T) {
	tests := []struct {
		c  Command
		ok bool
	}{
		{Command{Argv: []string{"true"}}, true},
		{Command{}, false},
		{Command{Argv: []string{""}}, false},
		{Command{Argv: []string{"echo", "a\x00b"}}, false},
	}
	for _, tt := range tests {
		err := tt.c.validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidArgument)) {
			t.Errorf("validate(%q) = %v, want ok=%v", tt.c.Argv, err, tt.ok)
		}
	}
}

// hostileStrings are arguments a shell would act on if they were not
// quoted.
var hostileStrings = []string{
	"", " ", "vm 1", "it's", "'", "''", `"`, `a"b'c`, "$(touch pwned)", "`touch pwned`", "$HOME", "${IFS}",
	"a\nb", "\n", "\t", "*", "?", "[a-z]", "~", "~root", "#comment", "a;b", "a&&b", "a|b", "a>b", "<a",
	"!", "{a,b}", `\`, `\'`, `'\''`, "-n", "--", "%s", "é ü 日本", "\x7f", "\x01\x02", "a\\nb",
}

// randomString draws from an alphabet heavy in characters special to sh.
func randomString(r *rand.Rand) string {
	const alphabet = " \t\n'\"`$(){}[]*?~#;&|<>!\\%=,.:/-_aZ09é"
	runes := []rune(alphabet)
	n := r.IntN(24)
	var b strings.Builder
	for range n {
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	return b.String()
}

// TestQuoteRoundTripsThroughShell runs the quoted words through the POSIX
// shells found on this machine (BusyBox ash is the host's shell; sh and bash
// follow the same quoting rules) and checks that printf gets every string
// back unchanged and that nothing was executed.
func TestQuoteRoundTripsThroughShell(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inputs := append([]string{}, hostileStrings...)
	for range 500 {
		inputs = append(inputs, randomString(r))
	}
	// One printf prints each argument followed by a NUL, which no argument
	// holds, so the output splits back into the arguments.
	line := Command{Argv: append([]string{"printf", `%s\0`}, inputs...)}.String()
	shells := [][]string{{"busybox", "ash"}, {"sh"}, {"bash", "--posix"}}
	ran := 0
	for _, shell := range shells {
		path, err := exec.LookPath(shell[0])
		if err != nil {
			continue
		}
		ran++
		t.Run(strings.Join(shell, " "), func(t *testing.T) {
			dir := t.TempDir()
			run := exec.Command(path, append(shell[1:], "-c", line)...)
			run.Dir = dir
			out, err := run.Output()
			if err != nil {
				t.Fatalf("running the line: %v", err)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			if len(got) != len(inputs) {
				t.Fatalf("got %d strings back, want %d", len(got), len(inputs))
			}
			for i := range inputs {
				if got[i] != inputs[i] {
					t.Errorf("string %d: got %q back, want %q (quoted %s)", i, got[i], inputs[i], Quote(inputs[i]))
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("the shell created %d files", len(entries))
			}
		})
	}
	if ran == 0 {
		t.Skip("no POSIX shell on this machine")
	}
}
