package ssh

import (
	"errors"
	"strings"
	"testing"
)

var vmkfstoolsSamples = map[string]struct {
	want    error
	code    int
	message string
}{
	"vmkfstools_-i_-d_thin.txt":                        {},
	"vmkfstools_-i.zeroedthick.txt":                    {},
	"vmkfstools_-i.progress-carriage-returns.txt":      {},
	"vmkfstools_-i.error-after-100pct.txt":             {want: ErrCommandFailed, code: 393225, message: "vmkfstools: Failed to clone disk: No such device or address (393225)."},
	"vmkfstools_-i.locked.esxi7.0u1c.txt":              {want: ErrLocked, code: 16392},
	"vmkfstools_-i.no-space-ghettovcb-restore.txt":     {want: ErrNoSpace, code: 13},
	"vmkfstools_-i.no-space-left.txt":                  {want: ErrNoSpace, code: 1835017},
	"vmkfstools_-i_-d_thin.esxi8.0b-ghettovcb-log.txt": {want: ErrIncomplete, message: "vmkfstools ended without an error text (progress stopped at 18%): disk copy incomplete"},
	"vmkfstools_-i.verbose-adaptertype-esxi6.7.txt":    {want: ErrIncomplete},
}

// loadVmkfstoolsSample reads a sample, turning the two characters "^M" by
// which one source renders a carriage return back into one.
func loadVmkfstoolsSample(tb testing.TB, name string) string {
	return strings.ReplaceAll(loadSample(tb, name), "^M", "\r")
}

func TestParseVmkfstoolsSamples(t *testing.T) {
	for name, tt := range vmkfstoolsSamples {
		t.Run(name, func(t *testing.T) {
			err := ParseVmkfstools(loadVmkfstoolsSample(t, name), 0)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var ve *VmkfstoolsError
			if errors.As(err, &ve) && ve.Code != tt.code {
				t.Errorf("code = %d, want %d", ve.Code, tt.code)
			}
			if tt.code != 0 && ve == nil {
				t.Errorf("err is %T, want *VmkfstoolsError", err)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("message = %q, want %q", err.Error(), tt.message)
			}
		})
	}
}

func TestParseVmkfstools(t *testing.T) {
	done := "Destination disk format: VMFS thin-provisioned\nCloning disk 'a.vmdk'...\nClone: 100% done.\n"
	tests := []struct {
		name string
		out  string
		exit int
		want []error
	}{
		{"success", done, 0, nil},
		{"success but exit status", done, 1, []error{ErrIncomplete, ErrCommandFailed}},
		{"silent failure", "", 1, []error{ErrIncomplete, ErrCommandFailed}},
		{"silent, exit 0", "", 0, []error{ErrIncomplete}},
		{"stopped at 40%", "\rClone: 10% done.\rClone: 40% done.\n", 0, []error{ErrIncomplete}},
		{"destination exists", "Failed to clone disk: The file already exists (39).\n", 1, []error{ErrAlreadyExists, ErrCommandFailed}},
		{"source missing", "Failed to open 'x.vmdk': Could not find the file (33).\n", 1, []error{ErrNotFound, ErrCommandFailed}},
		{"error without code is not taken for a text", "DISKLIB-LIB_CLONE   : Failed to clone disk using Object Cloning\nClone: 100% done.\n", 0, nil},
		{"error on stderr after progress", "Clone: 3% done.\nFailed to clone disk : No space left on device (1835017).", 1, []error{ErrNoSpace, ErrCommandFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ParseVmkfstools(tt.out, tt.exit)
			if tt.want == nil && err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, does not match %v", err, w)
				}
			}
		})
	}
}

func TestVmkfstoolsErrorKinds(t *testing.T) {
	e := &VmkfstoolsError{Text: "x (5)."}
	if !errors.Is(e, ErrCommandFailed) || errors.Is(e, ErrNoSpace) {
		t.Errorf("plain error matches wrongly")
	}
	if e.Error() != "vmkfstools: x (5)." {
		t.Errorf("Error() = %q", e.Error())
	}
}
