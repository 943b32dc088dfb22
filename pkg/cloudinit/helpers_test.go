package cloudinit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// key returns the public key line stored in testdata/keys/<name>.pub.
func key(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name+".pub"))
	if err != nil {
		t.Fatalf("reading test key: %v", err)
	}
	return strings.TrimSpace(string(b))
}

func ptr[T any](v T) *T { return &v }

// mustBuild builds s or fails the test.
func mustBuild(t testing.TB, s Spec) map[string]string {
	t.Helper()
	keys, err := Build(s)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return keys
}

// mustDecode decodes keys and fails the test on any problem.
func mustDecode(t testing.TB, keys map[string]string) *Decoded {
	t.Helper()
	d := Decode(keys)
	if len(d.Problems) > 0 {
		t.Fatalf("Decode problems: %v", d.Problems)
	}
	return d
}
