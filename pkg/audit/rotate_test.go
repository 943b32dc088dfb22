package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRotationKeepsTheChain(t *testing.T) {
	l, path := newLog(t, Options{MaxSize: 1500})
	appendN(t, l, 30)
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 || files[0] != path+".1" || files[len(files)-1] != path {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || fi.Size() > 1500 || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, fi, err)
		}
	}
	// The first record of each file links to the last of the one before.
	for i := 1; i < len(files); i++ {
		before, after := lines(t, files[i-1]), lines(t, files[i])
		last, first := before[len(before)-1], after[0]
		e, _, err := parseLine(first)
		if err != nil {
			t.Fatal(err)
		}
		if e.Prev != hashOf(t, last) {
			t.Fatalf("%s does not link to %s", files[i], files[i-1])
		}
	}
	rep := mustVerify(t, path, nil)
	if rep.Records != 30 || rep.Head.Count != 30 {
		t.Fatalf("%+v", rep)
	}

	// A rotated file taken away breaks the chain at the next file's first
	// line.
	if err := os.Rename(files[1], filepath.Join(t.TempDir(), "kept")); err != nil {
		t.Fatal(err)
	}
	rep, err = VerifyLog(path, nil)
	if !errors.Is(err, ErrTampered) || rep.Problem.Kind != KindDeleted || rep.Problem.File != files[2] || rep.Problem.Line != 1 {
		t.Fatalf("%v %+v", err, rep.Problem)
	}
}

func TestRotatedFilesOrderAndHead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	l, err := OpenWith(path, Options{Actor: &testActor})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, l, 3)
	// Numbers sort as numbers, and files that only look alike are ignored.
	for _, n := range []string{"2", "10", "9"} {
		if err := os.WriteFile(path+"."+n, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"key2", "01", "x1", ""} {
		if err := os.WriteFile(path+"."+n, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{path + ".2", path + ".9", path + ".10", path}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", files, want)
	}

	// With the current file gone, the head comes from the newest non-empty
	// rotated file, and the next rotation takes the next number.
	if err := os.Rename(path, path+".9"); err != nil {
		t.Fatal(err)
	}
	fresh, err := OpenWith(path, Options{Actor: &testActor, MaxSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, fresh, 2)
	if _, err := os.Stat(path + ".11"); err != nil {
		t.Fatalf("no rotation to .11: %v", err)
	}
	rep := mustVerify(t, path, nil)
	if rep.Records != 5 {
		t.Fatalf("%+v", rep)
	}
	cp, err := fresh.Checkpoint(context.Background())
	if err != nil || cp.Count != 5 {
		t.Fatalf("%v %v", cp, err)
	}
}

func TestFilesOfAMissingDirectory(t *testing.T) {
	files, err := Files(filepath.Join(t.TempDir(), "nope", "audit.log"))
	if err != nil || len(files) != 0 {
		t.Fatalf("%v %v", files, err)
	}
}
