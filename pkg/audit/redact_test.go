package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	k := &Key{k: []byte("0123456789abcdef0123456789abcdef")}
	h := k.HashSecret
	tests := []struct {
		name    string
		params  string
		secrets []string
		want    string
		found   []string
	}{
		{"no secrets", `{"b":1, "a":"x"}`, nil, `{"a":"x","b":1}`, nil},
		{"empty", ``, []string{"password"}, ``, nil},
		{"null", `null`, []string{"password"}, ``, nil},
		{"top-level name", `{"password":"hunter2","cpu":2}`, []string{"password"},
			`{"cpu":2,"password":"` + h("hunter2") + `"}`, []string{"hunter2"}},
		{"name at depth and in arrays", `{"ssh":{"password":"p1"},"users":[{"password":"p2"}]}`, []string{"password"},
			`{"ssh":{"password":"` + h("p1") + `"},"users":[{"password":"` + h("p2") + `"}]}`, []string{"p1", "p2"}},
		{"pointer", `{"ssh":{"password":"p1"},"password":"keep"}`, []string{"/ssh/password"},
			`{"password":"keep","ssh":{"password":"` + h("p1") + `"}}`, []string{"p1"}},
		{"pointer escapes", `{"a/b":{"c~d":"s"}}`, []string{"/a~1b/c~0d"},
			`{"a/b":{"c~d":"` + h("s") + `"}}`, []string{"s"}},
		{"pointer into array", `{"keys":["k0","k1"]}`, []string{"/keys/1"},
			`{"keys":["k0","` + h("k1") + `"]}`, []string{"k1"}},
		{"pointer misses", `{"keys":["k0"],"n":1}`, []string{"/keys/5", "/keys/x", "/keys/01", "/n/x", "/none"},
			`{"keys":["k0"],"n":1}`, nil},
		{"secret object keeps its shape", `{"creds":{"user":"u","pw":"p","n":7,"ok":true,"none":null}}`, []string{"creds"},
			`{"creds":{"n":"` + h("7") + `","none":null,"ok":"` + h("true") + `","pw":"` + h("p") + `","user":"` + h("u") + `"}}`, []string{"p", "u"}},
		{"secret array", `{"keys":["a","b"]}`, []string{"keys"},
			`{"keys":["` + h("a") + `","` + h("b") + `"]}`, []string{"a", "b"}},
		{"null secret", `{"password":null}`, []string{"password"}, `{"password":null}`, nil},
		{"html kept", `{"note":"<a&b>"}`, nil, `{"note":"<a&b>"}`, nil},
		{"big number kept", `{"n":123456789012345678901234567890}`, nil, `{"n":123456789012345678901234567890}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := json.RawMessage(tt.params)
			before := string(in)
			got, found, err := k.Redact(in, tt.secrets)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			if strings.Join(sortedCopy(found), ",") != strings.Join(tt.found, ",") {
				t.Fatalf("found %q, want %q", found, tt.found)
			}
			if string(in) != before {
				t.Fatal("the caller's params were changed")
			}
		})
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestRedactRefusesBadInput(t *testing.T) {
	k := &Key{k: make([]byte, 32)}
	tests := []struct {
		name, params string
		secrets      []string
		want         string
	}{
		{"array", `[1]`, nil, "want a JSON object"},
		{"string", `"x"`, nil, "want a JSON object"},
		{"not JSON", `{"a":`, nil, "not JSON"},
		{"two values", `{} {}`, nil, "more than one"},
		{"empty name", `{}`, []string{""}, "empty secret field name"},
		{"bad escape", `{}`, []string{"/a~2"}, "must be followed by 0 or 1"},
		{"trailing tilde", `{}`, []string{"/a~"}, "must be followed by 0 or 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := k.Redact(json.RawMessage(tt.params), tt.secrets)
			if !errors.Is(err, ErrParams) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrParams saying %q", err, tt.want)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	k := &Key{k: make([]byte, 32)}
	tests := []struct {
		name, text string
		secrets    []string
		want       string
	}{
		{"none", "login failed", nil, "login failed"},
		{"replaced", "login as root with hunter2 failed", []string{"hunter2"}, "login as root with " + k.HashSecret("hunter2") + " failed"},
		{"too short to scrub", "a b c", []string{"a"}, "a b c"},
		{"longest first", "pw hunter22", []string{"hunter2", "hunter22"}, "pw " + k.HashSecret("hunter22")},
		{"empty text", "", []string{"hunter2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := k.Scrub(tt.text, tt.secrets); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A secret that is a run of hex digits does not reach into the hashes
	// put in for the others.
	got := k.Scrub("x=secret-one y=beef", []string{"secret-one", "beef"})
	if strings.Count(got, "hmac-sha256:") != 2 {
		t.Fatalf("got %q", got)
	}
}
