package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `mode: atomic
example.com/m/a/a.go:1.1,2.2 3 1
example.com/m/a/a.go:3.1,4.2 1 0
example.com/m/a/b/b.go:1.1,2.2 2 0
example.com/m/a/a.go:3.1,4.2 1 4
example.com/m/c/c.go:1.1,2.2 4 0
`

func TestMergeAndFloors(t *testing.T) {
	blocks, err := parseProfile(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	cov := byPackage(blocks)
	if got := cov["example.com/m/a"]; got != (cover{4, 4}) {
		t.Fatalf("a: %+v (a block run by any binary counts once)", got)
	}
	floors, err := parseFloors(strings.NewReader("# comment\nexample.com/m/a 100\nexample.com/m/a/... 60%\ntotal 50\nexample.com/m/zz 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	failed := report(&out, cov, floors)
	// a/... = 4 of 6 = 66.7% ok; total = 4 of 10 = 40% < 50; zz missing.
	if len(failed) != 2 || !strings.Contains(failed[0], "total 40.0%") || !strings.Contains(failed[1], "zz") {
		t.Fatalf("failed %v\n%s", failed, out.String())
	}
	if !strings.Contains(out.String(), "example.com/m/c") {
		t.Fatalf("table lacks a package:\n%s", out.String())
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "c.txt")
	floors := filepath.Join(dir, "floors")
	os.WriteFile(prof, []byte(sample), 0o600)
	os.WriteFile(floors, []byte("example.com/m/a 90\n"), 0o600)
	var out bytes.Buffer
	if err := run(prof, floors, &out); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(floors, []byte("total 90\n"), 0o600)
	if err := run(prof, floors, &out); err == nil {
		t.Fatal("a floor that is not met passed")
	}
	for _, bad := range []string{"x.go 1 1\n", "x.go:1.1,2.2 a 1\n"} {
		if _, err := parseProfile(strings.NewReader(bad)); err == nil {
			t.Errorf("malformed profile %q accepted", bad)
		}
	}
	if _, err := parseFloors(strings.NewReader("pkg abc\n")); err == nil {
		t.Error("bad floor accepted")
	}
	if err := run(filepath.Join(dir, "none"), "", &out); err == nil {
		t.Error("missing profile accepted")
	}
}
