package mcp

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanerText(t *testing.T) {
	c := cleaner{secrets: []string{"hunter2", ""}}
	tests := []struct {
		name, in string
		limit    int
		want     string
	}{
		{"plain", "web01", 10, "web01"},
		{"line breaks become spaces", "a\nb\r\tc", 10, "a b  c"},
		{"controls and format characters go", "a\x00b\x1bc\u0085d\u202ee\u200b\ufefff", 20, "abcdef"},
		{"invalid UTF-8 is replaced", "a\xffb", 10, "a\ufffdb"},
		{"secrets are masked", "password hunter2!", 40, "password ********!"},
		{"cut", "abcdefghij", 4, "abcd" + cutMark},
		{"exactly the limit", "abcd", 4, "abcd"},
		{"runes, not bytes", "äöüß€", 3, "äöü" + cutMark},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.text(tt.in, tt.limit); got != tt.want {
				t.Errorf("text(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

func TestCleanerValueLimitsByKey(t *testing.T) {
	long := strings.Repeat("y", 2000)
	var doc any
	raw := `{"name":"` + long + `","annotation":"` + long + `","other":"` + long + `","names":["` + long + `"],"n":3,"ok":true,"nested":[{"error":"` + long + `"}],"` + long + `":1}`
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	v := cleaner{}.value(doc, "").(map[string]any)
	runes := func(x any) int { return utf8.RuneCountInString(strings.TrimSuffix(x.(string), cutMark)) }
	checks := map[string]int{"name": maxName, "annotation": maxText, "other": maxString}
	for k, want := range checks {
		if got := runes(v[k]); got != want {
			t.Errorf("%s: %d characters, want %d", k, got, want)
		}
	}
	if got := runes(v["names"].([]any)[0]); got != maxName {
		t.Errorf("names[0]: %d", got)
	}
	if got := runes(v["nested"].([]any)[0].(map[string]any)["error"]); got != maxText {
		t.Errorf("nested error: %d", got)
	}
	if v["n"] != float64(3) || v["ok"] != true {
		t.Errorf("numbers and booleans changed: %v %v", v["n"], v["ok"])
	}
	for k := range v {
		if utf8.RuneCountInString(strings.TrimSuffix(k, cutMark)) > maxName {
			t.Errorf("a key of %d characters", len(k))
		}
	}
}

func TestResultNames(t *testing.T) {
	var list []any
	for i := range 25 {
		list = append(list, map[string]any{"name": string(rune('a' + i))})
	}
	got := resultNames(list)
	if !strings.HasPrefix(got, `25 items: "a", "b"`) || !strings.HasSuffix(got, `"t", …`) {
		t.Errorf("list: %s", got)
	}
	if got := resultNames(map[string]any{"id": "x\"y"}); got != `About "x\"y".` {
		t.Errorf("object: %s", got)
	}
	if got := resultNames("plain"); got != "" {
		t.Errorf("a string: %q", got)
	}
	if got := resultNames([]any{1, 2}); got != "2 items" {
		t.Errorf("unnamed list: %q", got)
	}
}

// FuzzCleaner: whatever the host sends, what reaches the agent has no
// control or format character and keeps to the limit.
func FuzzCleaner(f *testing.F) {
	for _, s := range []string{"", "web01", "a\nb", "\x00\u202e", "\xff\xfe", strings.Repeat("é", 300)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 0 || limit > 4096 {
			return
		}
		got := cleaner{secrets: []string{"s3cret"}}.text(s, limit)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		body := strings.TrimSuffix(got, cutMark)
		if n := utf8.RuneCountInString(body); n > limit {
			t.Fatalf("%d characters over the limit %d", n, limit)
		}
		for _, r := range body {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("%q kept %U", s, r)
			}
		}
		if strings.Contains(got, "s3cret") {
			t.Fatalf("a secret survived in %q", got)
		}
	})
}

// FuzzSplitArgs: arguments from the agent never panic the splitter, and
// what it passes on is a JSON object without the control fields.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"", "null", "{}", `{"name":"a","dry_run":true}`, `{"idempotency_key":5}`, `[1]`, `{"approval":"x","n":{"a":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		params, _, err := splitArgs(raw, true)
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(params, &m); err != nil {
			t.Fatalf("params %q are not an object: %v", params, err)
		}
		for _, k := range []string{fieldIdempotencyKey, fieldDryRun, fieldApproval, fieldPromotionToken} {
			if _, ok := m[k]; ok {
				t.Fatalf("control field %s passed on", k)
			}
		}
		_ = argsDigest(params)
	})
}
