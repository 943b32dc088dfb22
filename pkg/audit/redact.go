package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// minScrubLen is the shortest secret value that is also looked for, and
// hashed, in a record's free text (error and notes): shorter values would
// mangle ordinary words.
const minScrubLen = 4

// Redact returns a copy of params, a JSON object, with the values named by
// secrets replaced by their HMAC, and the secret strings it found. A plain
// name matches an object key at any depth; a name starting with "/" is a
// JSON pointer (RFC 6901) to one value. A secret object or array keeps its
// shape with every leaf hashed; null stays null. Paths that are absent are
// skipped. Empty params give nil. The output is compact JSON with sorted
// keys; params itself is not changed.
func (k *Key) Redact(params json.RawMessage, secrets []string) (json.RawMessage, []string, error) {
	if len(bytes.TrimSpace(params)) == 0 {
		return nil, nil, nil
	}
	doc, err := decodeObject(params)
	if err != nil || doc == nil {
		return nil, nil, err
	}
	names := map[string]bool{}
	var pointers [][]string
	for _, s := range secrets {
		switch {
		case s == "":
			return nil, nil, fmt.Errorf("%w: empty secret field name", ErrParams)
		case strings.HasPrefix(s, "/"):
			p, err := parsePointer(s)
			if err != nil {
				return nil, nil, err
			}
			pointers = append(pointers, p)
		default:
			names[s] = true
		}
	}
	h := hasher{key: k}
	h.walk(doc, names)
	for _, p := range pointers {
		h.replaceAt(doc, p)
	}
	out, err := encodeCompact(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrParams, err)
	}
	return out, h.found, nil
}

func decodeObject(params []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrParams, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrParams)
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	}
	return nil, fmt.Errorf("%w: want a JSON object, got %s", ErrParams, bytes.TrimSpace(params)[:1])
}

func encodeCompact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// parsePointer splits an RFC 6901 pointer into its unescaped tokens.
func parsePointer(p string) ([]string, error) {
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		for j := 0; j < len(s); j++ {
			if s[j] == '~' && (j+1 == len(s) || (s[j+1] != '0' && s[j+1] != '1')) {
				return nil, fmt.Errorf("%w: secret path %q: \"~\" must be followed by 0 or 1", ErrParams, p)
			}
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

type hasher struct {
	key   *Key
	found []string
}

// walk hashes, anywhere below v, the values of object keys in names.
func (h *hasher) walk(v any, names map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if names[k] {
				v[k] = h.hash(val)
			} else {
				h.walk(val, names)
			}
		}
	case []any:
		for _, val := range v {
			h.walk(val, names)
		}
	}
}

// replaceAt hashes the value at path below doc, if there is one.
func (h *hasher) replaceAt(doc any, path []string) {
	cur := doc
	for i, tok := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			val, ok := c[tok]
			if !ok {
				return
			}
			if last {
				c[tok] = h.hash(val)
				return
			}
			cur = val
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(c) || (len(tok) > 1 && tok[0] == '0') {
				return
			}
			if last {
				c[n] = h.hash(c[n])
				return
			}
			cur = c[n]
		default:
			return
		}
	}
}

// hash replaces every leaf of v by its HMAC.
func (h *hasher) hash(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		h.found = append(h.found, v)
		return h.key.HashSecret(v)
	case json.Number:
		return h.key.HashSecret(v.String())
	case bool:
		return h.key.HashSecret(strconv.FormatBool(v))
	case map[string]any:
		for k, val := range v {
			v[k] = h.hash(val)
		}
		return v
	case []any:
		for i, val := range v {
			v[i] = h.hash(val)
		}
		return v
	}
	return v
}

// Scrub replaces, in free text, every secret value at least four bytes
// long by its HMAC, longest first.
func (k *Key) Scrub(text string, secrets []string) string {
	if text == "" || len(secrets) == 0 {
		return text
	}
	s := append([]string(nil), secrets...)
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	var pairs []string
	for _, v := range s {
		if len(v) >= minScrubLen {
			pairs = append(pairs, v, k.HashSecret(v))
		}
	}
	if len(pairs) == 0 {
		return text
	}
	// One pass: a hash put in is never searched again.
	return strings.NewReplacer(pairs...).Replace(text)
}
