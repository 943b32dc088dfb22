package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/spf13/cobra"
)

// TestEveryExampleParses: each line of every command's Example that runs
// ceso names that command (or one below it), and its flags and arguments
// parse with that command's flags and argument rules.
func TestEveryExampleParses(t *testing.T) {
	io, _, _, _ := cmdutil.Test()
	root := NewCmdRoot(cmdutil.New(io, config.MapEnv(nil)))
	examples := 0
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		for _, line := range strings.Split(c.Example, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "ceso ") {
				continue
			}
			examples++
			if err := parseExample(c.CommandPath(), line); err != nil {
				t.Errorf("%s: example %q: %v", c.CommandPath(), line, err)
			}
		}
	}
	walk(root)
	if examples < 20 {
		t.Fatalf("only %d examples found", examples)
	}
	for _, bad := range [][2]string{
		{"ceso vm list", "ceso vm list --bogus"},
		{"ceso vm info", "ceso vm info"},
		{"ceso vm info", "ceso vm list"},
		{"ceso backup restore", "ceso backup restore ID --replace --yes --unknown"},
		{"ceso vm create", "ceso vm create x --cpu many"},
	} {
		if parseExample(bad[0], bad[1]) == nil {
			t.Errorf("example %q of %s parsed", bad[1], bad[0])
		}
	}
}

// parseExample parses one example line on a fresh command tree (parsing
// sets flags).
func parseExample(owner, line string) error {
	words, err := shellWords(line)
	if err != nil {
		return err
	}
	io, _, _, _ := cmdutil.Test()
	root := NewCmdRoot(cmdutil.New(io, config.MapEnv(nil)))
	c, rest, err := root.Find(words[1:])
	if err != nil {
		return err
	}
	if c.CommandPath() != owner && !strings.HasPrefix(c.CommandPath(), owner+" ") {
		return fmt.Errorf("runs %q, not %q", c.CommandPath(), owner)
	}
	if !c.Runnable() {
		return fmt.Errorf("%q does not run", c.CommandPath())
	}
	if err := c.ParseFlags(rest); err != nil {
		return err
	}
	return c.ValidateArgs(c.Flags().Args())
}

// shellWords splits the command of a shell line into words as sh would
// (single and double quotes, backslashes), up to a pipe, a ';' or '&&'.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed '")
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf(`unclosed "`)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '\\' && i+1 < len(line):
			cur.WriteByte(line[i+1])
			i++
			inWord = true
		case ch == ' ' || ch == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case ch == '|' || ch == ';' || ch == '&' || ch == '#':
			if inWord {
				words = append(words, cur.String())
			}
			return words, nil
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
