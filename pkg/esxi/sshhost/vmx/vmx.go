package vmx

import (
	"bytes"
	"fmt"
	"strings"
)

// Entry is one setting of a .vmx file.
type Entry struct {
	Key   string
	Value string
}

// File is a .vmx file: its settings in order. The zero value is an empty
// file.
type File struct {
	entries []Entry
}

// Set sets key to value, replacing the value of a key that differs only in
// case, or appending the setting.
func (f *File) Set(key, value string) {
	for i, e := range f.entries {
		if strings.EqualFold(e.Key, key) {
			f.entries[i].Value = value
			return
		}
	}
	f.entries = append(f.entries, Entry{Key: key, Value: value})
}

// Get returns the value of key, compared without regard to case.
func (f *File) Get(key string) (string, bool) {
	for _, e := range f.entries {
		if strings.EqualFold(e.Key, key) {
			return e.Value, true
		}
	}
	return "", false
}

// Entries returns the settings in order.
func (f *File) Entries() []Entry { return append([]Entry(nil), f.entries...) }

// Len is the number of settings.
func (f *File) Len() int { return len(f.entries) }

// Bytes renders the file, one `key = "value"` line per setting. A key that
// is not valid (see CheckKey) is an error wrapping ErrInvalidKey.
func (f *File) Bytes() ([]byte, error) {
	var b bytes.Buffer
	for _, e := range f.entries {
		if err := CheckKey(e.Key); err != nil {
			return nil, err
		}
		b.WriteString(e.Key)
		b.WriteString(` = "`)
		b.WriteString(Escape(e.Value))
		b.WriteString("\"\n")
	}
	return b.Bytes(), nil
}

// CheckKey returns an error wrapping ErrInvalidKey unless key is 1 to 256
// letters, digits and . _ : - characters.
func CheckKey(key string) error {
	if key == "" || len(key) > maxKeyLen {
		return fmt.Errorf("%w: %q: want 1 to %d characters", ErrInvalidKey, key, maxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if !keyByte(key[i]) {
			return fmt.Errorf("%w: %q holds %q", ErrInvalidKey, key, key[i])
		}
	}
	return nil
}

const maxKeyLen = 256

func keyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._:-", c) >= 0
}

// Escape encodes s for the inside of a double-quoted .vmx value: `|`, `"`
// and control characters become |XX (upper-case hex); everything else,
// UTF-8 included, is kept.
func Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '|' || c == '"' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "|%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Unescape decodes |XX sequences. A bar not followed by two hex digits is
// kept as it is, as ESXi does.
func Unescape(s string) string {
	if !strings.Contains(s, "|") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '|' && i+2 < len(s) {
			if hi, ok := hexVal(s[i+1]); ok {
				if lo, ok := hexVal(s[i+2]); ok {
					b.WriteByte(hi<<4 | lo)
					i += 2
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Parse reads a .vmx file. Blank lines and lines starting with # are
// skipped; a value may be quoted or bare; a key set twice keeps its last
// value. A line without "=" or with an invalid key is an error wrapping
// ErrSyntax or ErrInvalidKey that names the line.
func Parse(data []byte) (*File, error) {
	f := &File{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%w: line %d has no '='", ErrSyntax, n+1)
		}
		key = strings.TrimSpace(key)
		if err := CheckKey(key); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		val = strings.TrimSpace(val)
		if strings.HasPrefix(val, `"`) {
			end := strings.LastIndexByte(val, '"')
			if end == 0 {
				return nil, fmt.Errorf("%w: line %d: the value of %s has no closing quote", ErrSyntax, n+1, key)
			}
			val = val[1:end]
		}
		f.Set(key, Unescape(val))
	}
	return f, nil
}
