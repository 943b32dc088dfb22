package targettest

import (
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/backup/target"
)

// Factory returns a new, empty target for one test.
type Factory func(t *testing.T) target.Target

// Run runs the conformance suite against the targets newTarget makes.
func Run(t *testing.T, newTarget Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, target.Target)
	}{
		{"CreateCommitOpen", testCreateCommitOpen},
		{"NothingVisibleBeforeCommit", testNothingVisibleBeforeCommit},
		{"CreateRefusesExisting", testCreateRefusesExisting},
		{"Abort", testAbort},
		{"AbortRightAway", testAbortRightAway},
		{"AbortAfterCancel", testAbortAfterCancel},
		{"ClosedFile", testClosedFile},
		{"LargeStream", testLargeStream},
		{"EmptyFile", testEmptyFile},
		{"RenameFile", testRenameFile},
		{"RenameDirectory", testRenameDirectory},
		{"RenameNeverReplaces", testRenameNeverReplaces},
		{"RemoveAll", testRemoveAll},
		{"Missing", testMissing},
		{"InvalidPaths", testInvalidPaths},
		{"ListSorted", testListSorted},
		{"Concurrent", testConcurrent},
		{"Location", testLocation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newTarget(t)) })
	}
}

// Data returns n deterministic bytes, half random and half repeated text.
func Data(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range b {
		if (i/4096)%2 == 0 {
			b[i] = byte(r.Uint32())
		} else {
			b[i] = "ceso backup target "[i%19]
		}
	}
	return b
}

// Put writes data to p and commits it.
func Put(t *testing.T, tg target.Target, p string, data []byte) {
	t.Helper()
	f, err := tg.Create(context.Background(), p)
	if err != nil {
		t.Fatalf("Create(%q): %v", p, err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatalf("Write(%q): %v", p, err)
	}
	if err := f.Commit(); err != nil {
		t.Fatalf("Commit(%q): %v", p, err)
	}
}

// Get reads the file at p.
func Get(t *testing.T, tg target.Target, p string) []byte {
	t.Helper()
	rc, err := tg.Open(context.Background(), p)
	if err != nil {
		t.Fatalf("Open(%q): %v", p, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", p, err)
	}
	return data
}

// Names lists the entry names of dir.
func Names(t *testing.T, tg target.Target, dir string) []string {
	t.Helper()
	list, err := tg.List(context.Background(), dir)
	if err != nil {
		t.Fatalf("List(%q): %v", dir, err)
	}
	names := make([]string, 0, len(list))
	for _, i := range list {
		n := i.Name
		if i.Dir {
			n += "/"
		}
		names = append(names, n)
	}
	return names
}

func wantNames(t *testing.T, tg target.Target, dir string, want ...string) {
	t.Helper()
	if got := strings.Join(Names(t, tg, dir), " "); got != strings.Join(want, " ") {
		t.Errorf("List(%q) = [%s], want [%s]", dir, got, strings.Join(want, " "))
	}
}
