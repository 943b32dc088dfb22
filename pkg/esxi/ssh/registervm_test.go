package ssh

import (
	"errors"
	"testing"
)

var registerVMSamples = map[string]struct {
	want    string
	wantErr error
}{
	"vim-cmd_solo_registervm.txt":                {want: "15"},
	"vim-cmd_solo_registervm.already-exists.txt": {wantErr: ErrAlreadyExists},
	"vim-cmd_solo_registervm.not-found.txt":      {wantErr: ErrNotFound},
}

func TestParseRegisterVMSamples(t *testing.T) {
	for name, tt := range registerVMSamples {
		t.Run(name, func(t *testing.T) {
			got, err := ParseRegisterVM(loadSample(t, name))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("vmid = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseRegisterVM(t *testing.T) {
	tests := []struct {
		out     string
		want    string
		wantErr error
	}{
		{"  42  \r\n\n", "42", nil},
		{"warning: something\n16\n", "16", nil},
		{"", "", ErrUnexpectedOutput},
		{"15 and more\n", "", ErrUnexpectedOutput},
		{"0\n", "", ErrUnexpectedOutput},
		{"12345678901\n", "", ErrUnexpectedOutput},
	}
	for _, tt := range tests {
		t.Run(tt.out, func(t *testing.T) {
			got, err := ParseRegisterVM(tt.out)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("vmid = %q, want %q", got, tt.want)
			}
		})
	}
}
