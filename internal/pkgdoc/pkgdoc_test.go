package pkgdoc

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryPackageIsDocumented walks the module and checks that each
// non-main package has a doc comment, in doc.go.
func TestEveryPackageIsDocumented(t *testing.T) {
	root := filepath.Join("..", "..")
	dirs := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 5 {
		t.Fatalf("found only %d package directories: wrong root?", len(dirs))
	}
	for dir := range dirs {
		checkDir(t, dir)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal("the walk did not start at the module root")
	}
}

// checkDir parses the package clause and doc comment of every non-test file
// of dir and wants a "// Package name ..." comment in doc.go (or, for a
// command, a doc comment anywhere).
func checkDir(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	name, documented := "", false
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			return
		}
		name = f.Name.Name
		if f.Doc == nil {
			continue
		}
		if filepath.Base(file) == "doc.go" && strings.HasPrefix(f.Doc.Text(), "Package "+name+" ") || name == "main" {
			documented = true
		}
	}
	if !documented {
		t.Errorf("%s: package %s has no \"// Package %s ...\" comment in doc.go", dir, name, name)
	}
}
