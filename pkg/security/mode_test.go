package security

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		err  bool
	}{
		{"restricted", Restricted, false},
		{"read-only", Restricted, false},
		{" standard ", Standard, false},
		{"unrestricted", Unrestricted, false},
		{"", "", true},
		{"Standard", "", true},
		{"yolo", "", true},
	}
	for _, tt := range tests {
		m, err := ParseMode(tt.in)
		if m != tt.want || (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrUnknownMode)) {
			t.Errorf("ParseMode(%q) = %q, %v", tt.in, m, err)
		}
	}
}

func TestEffectiveModeLowersNeverRaises(t *testing.T) {
	tests := []struct {
		config, requested, policy string
		want                      string
		err                       error
		msg                       string
	}{
		{"standard", "", "", "standard", nil, ""},
		{"read-only", "", "", "restricted", nil, ""},
		{"unrestricted", "restricted", "", "restricted", nil, ""},
		{"unrestricted", "standard", "", "standard", nil, ""},
		{"standard", "read-only", "", "restricted", nil, ""},
		{"standard", "standard", "", "standard", nil, ""},
		{"standard", "unrestricted", "", "", ErrModeRaise, "never raise"},
		{"restricted", "standard", "", "", ErrModeRaise, "never raise"},
		{"restricted", "unrestricted", "unrestricted", "", ErrModeRaise, "never raise"},
		// The policy caps the configuration.
		{"unrestricted", "", "standard", "", ErrAbovePolicy, "allows at most standard"},
		{"standard", "", "restricted", "", ErrAbovePolicy, "allows at most restricted"},
		{"standard", "", "standard", "standard", nil, ""},
		{"restricted", "", "standard", "restricted", nil, ""},
		{"standard", "restricted", "standard", "restricted", nil, ""},
		{"standard", "unrestricted", "unrestricted", "", ErrModeRaise, ""},
		// Bad names say which setting is wrong.
		{"yolo", "", "", "", ErrUnknownMode, "security.mode"},
		{"standard", "yolo", "", "", ErrUnknownMode, "--mode"},
		{"standard", "", "yolo", "", ErrUnknownMode, "policy max_mode"},
	}
	for _, tt := range tests {
		name := tt.config + "/" + tt.requested + "/" + tt.policy
		t.Run(name, func(t *testing.T) {
			got, err := EffectiveMode(tt.config, tt.requested, tt.policy)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error %q lacks %q", err, tt.msg)
			}
		})
	}
}
