package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ceso/ceso/deploy/grafana"
)

func TestRunWritesTheDashboard(t *testing.T) {
	out := filepath.Join(t.TempDir(), "d.json")
	if err := run(out); err != nil {
		t.Fatal(err)
	}
	want, err := grafana.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Fatal("run wrote something else than grafana.JSON()")
	}
	if err := run(filepath.Join(t.TempDir(), "missing", "d.json")); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}
