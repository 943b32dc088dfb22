package backup

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/ops"
)

// TestDryTargetKeepsWritesInMemory: a dry run reads the real target and
// sees what it wrote itself, and changes nothing on disk.
func TestDryTargetKeepsWritesInMemory(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "web", "old"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "web", "old", "f"), []byte("real"), 0o600); err != nil {
		t.Fatal(err)
	}
	var steps []string
	d := Deps{
		Catalog: FileCatalog{Path: filepath.Join(root, "catalog.db")},
		Targets: target.NewSet([]config.Target{{Name: "local", Type: "local", Path: root}}, "local", nil),
		LockDir: root,
		Plan:    func(s ops.Step) { steps = append(steps, s.Action) },
	}.planning()
	tg, err := d.Targets.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := tg.Create(ctx, "web/new.partial/disk")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("planned"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Create(ctx, "web/old/f"); !errors.Is(err, target.ErrExist) {
		t.Fatalf("creating over a real file: %v", err)
	}
	if err := tg.Rename(ctx, "web/new.partial", "web/new"); err != nil {
		t.Fatal(err)
	}
	rc, err := tg.Open(ctx, "web/new/disk")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	if string(b) != "planned" {
		t.Fatalf("read back %q", b)
	}
	if st, err := tg.Stat(ctx, "web/new"); err != nil || !st.Dir {
		t.Fatalf("stat of a planned directory: %+v %v", st, err)
	}
	list, err := tg.List(ctx, "web")
	if err != nil || len(list) != 2 || list[0].Name != "new" || list[1].Name != "old" {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := tg.RemoveAll(ctx, "web/old"); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Open(ctx, "web/old/f"); !errors.Is(err, target.ErrNotExist) {
		t.Fatalf("a removed file still opens: %v", err)
	}
	if list, _ := tg.List(ctx, "web"); len(list) != 1 {
		t.Fatalf("list after removal %+v", list)
	}
	if err := d.Catalog.AddBackup(storage.Entry{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	_ = d.Catalog.SetStatus("x", storage.StatusDeleting)
	_ = d.Catalog.DeleteBackup("x")
	want := "write " + filepath.Join(root, "web/new.partial/disk") + "|rename|remove " + filepath.Join(root, "web/old") + "|catalog: add backup x|catalog: mark x deleting|catalog: remove x"
	got := strings.Join(steps, "|")
	for _, w := range strings.Split(want, "|") {
		if !strings.Contains(got, w) {
			t.Errorf("steps %q lack %q", got, w)
		}
	}
	// Nothing changed on disk, and no catalog was made.
	if _, err := os.Stat(filepath.Join(root, "web", "old", "f")); err != nil {
		t.Fatal("the dry run removed a real file")
	}
	for _, p := range []string{"web/new", "web/new.partial", "catalog.db"} {
		if _, err := os.Stat(filepath.Join(root, p)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the dry run made %s", p)
		}
	}
}
