package mcp

import (
	"strings"
	"unicode"
)

// Limits, in characters, on a string that reaches the agent.
const (
	// maxName bounds names: ESXi's own limit on a VM name.
	maxName = 80
	// maxText bounds free text: errors, notes, annotations, plan steps.
	maxText = 1024
	// maxString bounds every other string.
	maxString = 256
	// cutMark ends a string that was cut.
	cutMark = "…[cut]"
	// secretMask replaces a known secret.
	secretMask = "********"
)

// cleaner makes host data safe to hand to an agent: control and format
// characters removed (line breaks and tabs become spaces), invalid UTF-8
// replaced, known secrets masked, and the length cut.
type cleaner struct {
	secrets []string
}

// text cleans s and cuts it to limit characters.
func (c cleaner) text(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for _, sec := range c.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, secretMask)
		}
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f':
			r = ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if n == limit {
			b.WriteString(cutMark)
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// value cleans every string of a decoded JSON value (and every object
// key), with the limit its key calls for.
func (c cleaner) value(v any, key string) any {
	switch t := v.(type) {
	case string:
		return c.text(t, limitOf(key))
	case []any:
		for i := range t {
			t[i] = c.value(t[i], key)
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			ck := c.text(k, maxName)
			out[ck] = c.value(e, k)
		}
		return out
	}
	return v
}

// limitOf is the limit of the strings under an object key; an array's
// strings take the limit of the array's key.
func limitOf(key string) int {
	switch key {
	case "name", "names", "vm", "vm_name", "source", "template", "hostname", "datastore", "network", "target", "label", "as_new":
		return maxName
	case "annotation", "error", "message", "detail", "action", "notes", "problem", "guest_full_name", "description", "text", "approve":
		return maxText
	}
	return maxString
}
