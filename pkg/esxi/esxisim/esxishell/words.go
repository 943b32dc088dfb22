package esxishell

import (
	"errors"
	"strings"
)

// errSyntax is a line the fake shell does not run: unquoted shell syntax,
// or a quote left open.
var errSyntax = errors.New("unsupported shell syntax")

// splitWords splits a command line into words as a POSIX shell does for
// plain commands: blanks separate words, single quotes keep everything,
// double quotes keep everything but \ $ ` and ", a backslash escapes the
// next character. Unquoted operators, substitutions and globs are refused
// with errSyntax, as are newlines outside quotes.
func splitWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, errSyntax
			}
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			n, err := doubleQuoted(line[i+1:], &cur)
			if err != nil {
				return nil, err
			}
			i += n
			inWord = true
		case c == '\\':
			if i+1 >= len(line) {
				return nil, errSyntax
			}
			cur.WriteByte(line[i+1])
			i++
			inWord = true
		case strings.IndexByte(";&|<>()$`*?[]{}~#!\n\r", c) >= 0:
			return nil, errSyntax
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// doubleQuoted reads the inside of a double-quoted string into cur and
// returns how many bytes it took, the closing quote included.
func doubleQuoted(s string, cur *strings.Builder) (int, error) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i + 1, nil
		case '$', '`':
			return 0, errSyntax
		case '\\':
			if i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
				cur.WriteByte(s[i+1])
				i++
				continue
			}
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
		}
	}
	return 0, errSyntax
}
