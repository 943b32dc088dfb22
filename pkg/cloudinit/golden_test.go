package cloudinit

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden compares the decoded metadata and user-data of every fixture
// spec with testdata/golden/<name>.metadata.json and .userdata.yaml.
// Regenerate with: go test ./pkg/cloudinit -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, s := range fixtureSpecs(t) {
		t.Run(s.name, func(t *testing.T) {
			d := mustDecode(t, mustBuild(t, s.spec))
			golden(t, s.name+".metadata.json", d.MetadataText)
			golden(t, s.name+".userdata.yaml", d.UserData)
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	for _, s := range fixtureSpecs(t) {
		t.Run(s.name, func(t *testing.T) {
			a, b := mustBuild(t, s.spec), mustBuild(t, s.spec)
			for k, v := range a {
				if b[k] != v {
					t.Errorf("%s differs between two builds", k)
				}
			}
			for _, k := range []string{KeyMetadata, KeyUserData} {
				if a[k+".encoding"] != EncodingGzipBase64 {
					t.Errorf("%s.encoding = %q", k, a[k+".encoding"])
				}
				checkGzipHeader(t, k, a[k])
			}
		})
	}
}

// checkGzipHeader checks that an encoded value is gzip with no name and a
// zero modification time, so that it depends on the content only.
func checkGzipHeader(t *testing.T, key, v string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if zr.Name != "" || zr.Comment != "" || !zr.ModTime.Equal(time.Time{}) || raw[4]|raw[5]|raw[6]|raw[7] != 0 {
		t.Errorf("%s: gzip header has name %q, comment %q, mtime %v", key, zr.Name, zr.Comment, zr.ModTime)
	}
}
