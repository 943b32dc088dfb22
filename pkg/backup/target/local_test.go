package target_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/target/targettest"
)

func TestLocalConformance(t *testing.T) {
	targettest.Run(t, func(t *testing.T) target.Target {
		l, err := target.NewLocal("local", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}

func TestLocalRootMustExist(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root, want string
	}{
		{"missing", filepath.Join(dir, "nas"), "is the disk or share mounted?"},
		{"file", file, "is not a directory"},
		{"empty", "", "has no path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := target.NewLocal("nas", tt.root)
			if !errors.Is(err, target.ErrUnavailable) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrUnavailable saying %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nas")); !errors.Is(err, os.ErrNotExist) {
		t.Error("NewLocal created the missing root")
	}
}

func TestLocalFilesArePrivate(t *testing.T) {
	root := t.TempDir()
	l, err := target.NewLocal("local", root)
	if err != nil {
		t.Fatal(err)
	}
	targettest.Put(t, l, "web/b1/f", []byte("x"))
	for _, p := range []string{"web", "web/b1", "web/b1/f"} {
		st, err := os.Stat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", p, st.Mode().Perm())
		}
	}
	if l.Location("web/b1") != filepath.Join(root, "web", "b1") || l.Root() != root || l.Name() != "local" {
		t.Errorf("Location %q, Root %q", l.Location("web/b1"), l.Root())
	}
}

func TestLocalCommitRefusesFileCreatedMeanwhile(t *testing.T) {
	root := t.TempDir()
	l, err := target.NewLocal("local", root)
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.Create(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a"), []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); !errors.Is(err, target.ErrExist) {
		t.Fatalf("Commit = %v, want ErrExist", err)
	}
	if got := targettest.Names(t, l, ""); len(got) != 1 || got[0] != "a" {
		t.Errorf("left %v", got)
	}
}

func TestFaultyLocalConformance(t *testing.T) {
	// Without faults, the wrapper is a target like any other.
	targettest.Run(t, func(t *testing.T) target.Target {
		l, err := target.NewLocal("local", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return targettest.NewFaulty(l)
	})
}
