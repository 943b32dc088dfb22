package ssh

import (
	"errors"
	"strings"
	"testing"
)

// resultErrSamples are outputs of commands whose success prints nothing to
// parse, checked with Result.Err.
var resultErrSamples = map[string]error{
	"vim-cmd_vmsvc_unregister.txt":                nil,
	"vim-cmd_vmsvc_unregister.not-registered.txt": ErrNotFound,
	"vim-cmd_vmsvc_snapshot.create.txt":           nil,
	"vim-cmd_vmsvc_snapshot.removeall.txt":        nil,
}

func TestResultErrSamples(t *testing.T) {
	for name, want := range resultErrSamples {
		t.Run(name, func(t *testing.T) {
			err := Result{Stdout: loadSample(t, name)}.Err()
			if !errors.Is(err, want) || (want == nil && err != nil) {
				t.Fatalf("Err() = %v, want %v", err, want)
			}
		})
	}
}

func TestResultErr(t *testing.T) {
	tests := []struct {
		name    string
		r       Result
		wantErr error
		text    string
	}{
		{"success", Result{Stdout: "done\n"}, nil, ""},
		{"fault on stderr, exit 0", Result{Stderr: "(vim.fault.NotFound) {\n   msg = \"x\"\n}\n"}, ErrNotFound, "NotFound: x"},
		{"exit status with stderr", Result{Stdout: "out", Stderr: " mkdir: can't create directory 'x': No space left on device \n", ExitStatus: 1},
			ErrCommandFailed, "exit status 1: mkdir: can't create directory 'x': No space left on device"},
		{"exit status with stdout only", Result{Stdout: "oops\n", ExitStatus: 2}, ErrCommandFailed, "exit status 2: oops"},
		{"exit status, silent", Result{ExitStatus: 3}, ErrCommandFailed, "exit status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Err()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Err() = %v, want %v", err, tt.wantErr)
			}
			if err != nil && err.Error() != tt.text {
				t.Errorf("Err() = %q, want %q", err.Error(), tt.text)
			}
		})
	}
}

func TestResultOutput(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Stdout: "a\n", Stderr: "b\n"}, "a\nb\n"},
		{Result{Stdout: "a", Stderr: "b"}, "a\nb"},
		{Result{Stdout: "", Stderr: "b"}, "b"},
		{Result{Stdout: "a"}, "a"},
	}
	for _, tt := range tests {
		if got := tt.r.Output(); got != tt.want {
			t.Errorf("%+v.Output() = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	short := "short"
	if clip(short) != short {
		t.Errorf("clip(%q) changed it", short)
	}
	long := strings.Repeat("é", 400) // 2 bytes each: the cut falls inside one
	got := clip(long)
	if !strings.HasSuffix(got, "…") || len(got) > 300+len("…") {
		t.Errorf("clip: %d bytes", len(got))
	}
	if strings.ContainsRune(strings.TrimSuffix(got, "…"), '\uFFFD') || !utf8Valid(got) {
		t.Error("clip cut a character in two")
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
