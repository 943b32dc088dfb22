package ssh

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadSample returns the output part of a reference sample in testdata: the
// file without its header, the leading lines that start with "# ". The
// output runs to the end of the file (each file ends with one newline after
// its last output line; a file with nothing after its header is a command
// that printed nothing).
func loadSample(tb testing.TB, name string) string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return stripSampleHeader(string(data))
}

func stripSampleHeader(s string) string {
	for strings.HasPrefix(s, "# ") {
		nl := strings.IndexByte(s, '\n')
		if nl < 0 {
			return ""
		}
		s = s[nl+1:]
	}
	return s
}

// sampleFiles lists the reference samples in testdata.
func sampleFiles(tb testing.TB) []string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

func TestStripSampleHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"# a\n# b\nout\n", "out\n"},
		{"# a\n\nout\n", "\nout\n"},
		{"# a\n# b\n", ""},
		{"# only", ""},
		{"out\n# not header\n", "out\n# not header\n"},
	}
	for _, tt := range tests {
		if got := stripSampleHeader(tt.in); got != tt.want {
			t.Errorf("stripSampleHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEverySampleIsTested fails when a sample in testdata has no case in
// the sample tests.
func TestEverySampleIsTested(t *testing.T) {
	tested := map[string]bool{}
	for name := range getallvmsSamples {
		tested[name] = true
	}
	for name := range powerStateSamples {
		tested[name] = true
	}
	for name := range powerResultSamples {
		tested[name] = true
	}
	for name := range registerVMSamples {
		tested[name] = true
	}
	for name := range resultErrSamples {
		tested[name] = true
	}
	for name := range vmkfstoolsSamples {
		tested[name] = true
	}
	files := sampleFiles(t)
	if len(files) == 0 {
		t.Fatal("no samples in testdata")
	}
	for _, name := range files {
		if !tested[name] {
			t.Errorf("sample %s is not tested", name)
		}
		delete(tested, name)
	}
	for name := range tested {
		t.Errorf("tested sample %s is missing from testdata", name)
	}
}
