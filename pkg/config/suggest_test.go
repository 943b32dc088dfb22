package config

import (
	"strings"
	"testing"
)

// TestUnknownKeySuggestions: an unknown key names the known key it is a
// typo of, by edit distance, and nothing when no key is near.
func TestUnknownKeySuggestions(t *testing.T) {
	tests := []struct {
		yaml, want string
	}{
		{"esxi:\n  pasword: x\n", `esxi.pasword: unknown key (did you mean "password"?)`},
		{"esxi:\n  hots: x\n", `esxi.hots: unknown key (did you mean "host"?)`},
		{"esxi:\n  thumbprnt: x\n", `(did you mean "thumbprint"?)`},
		{"esxi:\n  Pool-Size: 3\n", `(did you mean "pool_size"?)`},
		{"backup:\n  retention:\n    keep_dialy: 3\n", `backup.retention.keep_dialy: unknown key (did you mean "keep_daily"?)`},
		{"securty:\n  mode: standard\n", `securty: unknown key (did you mean "security"?)`},
		{"backup:\n  default-target: local\n", `(did you mean "default_target"?)`},
		{"esxi:\n  colour: blue\n", "esxi.colour: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			var c Config
			err := Parse("config.yaml", []byte(tt.yaml), &c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if strings.HasSuffix(tt.want, "unknown key") && strings.Contains(err.Error(), "did you mean") {
				t.Fatalf("a far key got a suggestion: %v", err)
			}
		})
	}
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"host", "hots", 1}, {"kitten", "sitting", 3}, {"pasword", "password", 1}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
