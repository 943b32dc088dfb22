package esxishell

import (
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/ssh"
)

// FuzzSplitWords: every line ssh.Command.String quotes splits back into
// its words, and no line makes the splitter fail other than with
// errSyntax.
func FuzzSplitWords(f *testing.F) {
	f.Add("mkdir", "/vmfs/volumes/datastore1/web 01 $(reboot)", "it's")
	f.Add("sh", `set -C; printf "%s" "$1" > "$2"`, "a = \"b|22\"\n")
	f.Add("", "", "`id`\\")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if _, err := splitWords(a + " " + b + " " + c); err != nil && err != errSyntax {
			t.Fatalf("unexpected error %v", err)
		}
		argv := []string{"cmd", a, b, c}
		if strings.ContainsRune(a+b+c, 0) {
			return // Run refuses NUL bytes before quoting
		}
		line := ssh.Command{Argv: argv}.String()
		got, err := splitWords(line)
		if err != nil || strings.Join(got, "\x00") != strings.Join(argv, "\x00") {
			t.Fatalf("%q split to %q, %v", line, got, err)
		}
	})
}
