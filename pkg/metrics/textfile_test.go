package metrics

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestWriteTextfile(t *testing.T) {
	m := New(false)
	m.ObserveOperation("vm.info", "success", 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "ceso.prom")
	if err := m.WriteTextfile(path); err != nil {
		t.Fatal(err)
	}
	want, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("textfile differs from the exposition: %v\n%s", err, got)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("textfile mode %v, %v: want 0644 (node_exporter runs as another user)", fi.Mode(), err)
	}
	onlyFile(t, dir, "ceso.prom")
}

// TestWriteTextfileFailuresLeaveTheOldFile: when rendering or renaming
// fails, the file keeps its content and no temporary file stays behind.
func TestWriteTextfileFailuresLeaveTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ceso.prom")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := New(false)
	m.Registry().MustRegister(newFailing())
	if err := m.WriteTextfile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("WriteTextfile = %v, want an error naming %s", err, path)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Fatalf("a failed write changed the file: %q", got)
	}
	onlyFile(t, dir, "ceso.prom")

	// The target is a non-empty directory: the rename fails.
	target := filepath.Join(dir, "dir.prom")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := New(false).WriteTextfile(target); err == nil {
		t.Fatal("renaming over a directory succeeded")
	}
	onlyFile(t, dir, "ceso.prom", "dir.prom")

	if err := New(false).WriteTextfile(filepath.Join(dir, "missing", "x.prom")); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}

// TestWriteTextfileIsAtomic reads the file while it is rewritten with
// growing content: every read parses as a whole exposition.
func TestWriteTextfileIsAtomic(t *testing.T) {
	m := New(false)
	path := filepath.Join(t.TempDir(), "ceso.prom")
	if err := m.WriteTextfile(path); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads int
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("read: %v", err)
				return
			}
			parser := expfmt.NewTextParser(model.UTF8Validation)
			if _, err := parser.TextToMetricFamilies(bytes.NewReader(data)); err != nil || !bytes.HasSuffix(data, []byte("\n")) {
				t.Errorf("a reader saw a partial file (%v):\n%s", err, data)
				return
			}
			reads++
		}
	})
	for i := range 200 {
		m.ObserveOperation("vm.op"+strings.Repeat("x", i%50), "success", float64(i))
		if err := m.WriteTextfile(path); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if reads == 0 {
		t.Fatal("the reader never read")
	}
	onlyFile(t, filepath.Dir(path), "ceso.prom")
}

func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Fatalf("directory holds %v, want %v (a temporary file was left?)", got, names)
	}
}
