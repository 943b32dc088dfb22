package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// FieldError is a problem with one key of a configuration file.
type FieldError struct {
	File string
	Line int
	Key  string // dotted path, e.g. "esxi.pool_size"
	Msg  string
}

func (e *FieldError) Error() string {
	file := e.File
	if file == "" {
		file = "<config>"
	}
	return fmt.Sprintf("%s:%d: %s: %s", file, e.Line, e.Key, e.Msg)
}

var durationType = reflect.TypeFor[time.Duration]()

// shorthand is a section that also takes a single value standing for its
// main key: "compression: zstd" for "compression: {algorithm: zstd}".
type shorthand interface {
	setShorthand(value string) error
}

// decodeStrict fills out from the YAML node, refusing unknown keys and values
// of the wrong type. Keys not present keep the value out already has.
func decodeStrict(file string, n *yaml.Node, out reflect.Value, path string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	fail := func(format string, a ...any) error {
		return &FieldError{File: file, Line: n.Line, Key: path, Msg: fmt.Sprintf(format, a...)}
	}
	t := out.Type()
	switch {
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			return fail("want a duration such as 90s or 10m")
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil || d < 0 {
			return fail("want a duration such as 90s or 10m, got %q", n.Value)
		}
		out.SetInt(int64(d))
		return nil
	case t.Kind() == reflect.Pointer:
		v := reflect.New(t.Elem())
		if err := decodeStrict(file, n, v.Elem(), path); err != nil {
			return err
		}
		out.Set(v)
		return nil
	case t.Kind() == reflect.Struct:
		if sh, ok := out.Addr().Interface().(shorthand); ok && n.Kind == yaml.ScalarNode {
			if err := sh.setShorthand(n.Value); err != nil {
				return fail("%v", err)
			}
			return nil
		}
		return decodeStruct(file, n, out, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return fail("want a list")
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := decodeStrict(file, c, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		out.Set(s)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fail("want a %s, got a %s", kindName(t.Kind()), nodeKindName(n.Kind))
	}
	return decodeScalar(n, out, fail)
}

func decodeScalar(n *yaml.Node, out reflect.Value, fail func(string, ...any) error) error {
	switch out.Kind() {
	case reflect.String:
		if n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float" && n.Tag != "!!bool" {
			return fail("want a string, got %s", n.Tag)
		}
		out.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if err != nil || n.Tag != "!!bool" {
			return fail("want true or false, got %q", n.Value)
		}
		out.SetBool(b)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if err != nil || n.Tag != "!!int" {
			return fail("want a whole number, got %q", n.Value)
		}
		out.SetInt(int64(i))
	default:
		return fail("unsupported field type %s", out.Type())
	}
	return nil
}

func decodeStruct(file string, n *yaml.Node, out reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		return &FieldError{File: file, Line: n.Line, Key: orRoot(path), Msg: "want a mapping of keys to values, got a " + nodeKindName(n.Kind)}
	}
	fields := map[string]int{}
	t := out.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := joinKey(path, k.Value)
		idx, ok := fields[k.Value]
		if !ok {
			return &FieldError{File: file, Line: k.Line, Key: key, Msg: "unknown key" + suggest(k.Value, fields)}
		}
		if seen[k.Value] {
			return &FieldError{File: file, Line: k.Line, Key: key, Msg: "key given twice"}
		}
		seen[k.Value] = true
		if err := decodeStrict(file, v, out.Field(idx), key); err != nil {
			return err
		}
	}
	return nil
}

// suggest names the known key closest to an unknown one: the same but for
// case, '-' and '_', else the nearest by edit distance (insertions,
// deletions, substitutions and swaps of two neighbours), when it is near
// enough to be a typo.
func suggest(key string, fields map[string]int) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if norm(name) == norm(key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	best, bestD := "", 0
	for _, name := range names {
		d := editDistance(strings.ToLower(key), name)
		if best == "" || d < bestD {
			best, bestD = name, d
		}
	}
	if best != "" && bestD <= max(1, min(3, len([]rune(best))/3)) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// editDistance is the optimal string alignment distance of a and b.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Int:
		return "whole number"
	case reflect.Bool:
		return "true or false"
	default:
		return k.String()
	}
}

func nodeKindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	default:
		return "document"
	}
}
