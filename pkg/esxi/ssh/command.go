package ssh

import (
	"fmt"
	"strings"
)

// Command is one program run on the host: its argument vector. Build it with
// the constructors in builders.go, which validate their input; String gives
// the shell line that is sent.
type Command struct {
	Argv []string
	// Stdin, when not nil, is sent on the command's standard input: file
	// contents go there, never on the command line (whose length limit on
	// ESXi is undocumented).
	Stdin []byte
}

// String returns the exact shell line run on the host: every argument quoted
// for a POSIX shell (the host's BusyBox ash), separated by blanks. It is also
// what a dry run prints.
func (c Command) String() string {
	var b strings.Builder
	for i, arg := range c.Argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Quote(arg))
	}
	return b.String()
}

// validate refuses a command that cannot be sent faithfully.
func (c Command) validate() error {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return fmt.Errorf("empty command: %w", ErrInvalidArgument)
	}
	for i, arg := range c.Argv {
		if strings.IndexByte(arg, 0) >= 0 {
			return fmt.Errorf("argument %d of %s holds a NUL byte: %w", i, Quote(c.Argv[0]), ErrInvalidArgument)
		}
	}
	return nil
}

// Quote returns s as one word for a POSIX shell. Words made only of
// characters no shell treats specially are returned as they are; anything
// else is put in single quotes, where nothing is special, and an embedded
// single quote is closed, escaped and reopened. The empty string becomes a
// pair of single quotes. For example:
//
//	Quote("vm 1")      →  'vm 1'
//	Quote("it's")      →  'it'\''s'
//	Quote("$(reboot)") →  '$(reboot)'
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if isPlainWord(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isPlainWord reports whether s needs no quoting: letters, digits and
// _ @ % + = : , . / - only. A leading '=' or '%' is harmless in sh, and '~'
// (tilde expansion), '#' (comments), globs and blanks are not in the set.
func isPlainWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_@%+=:,./-", c) >= 0:
		default:
			return false
		}
	}
	return true
}
