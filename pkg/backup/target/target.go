package target

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ceso/ceso/pkg/backup/archive"
)

// Target is a place backups are stored. Paths are relative to its root,
// slash-separated and clean ("web/20261103T021500Z-3f9a1c2b/web.ovf").
// Implementations are safe for concurrent use.
type Target interface {
	// Name is the target's name in the configuration.
	Name() string
	// Location says where p is, for people: "/mnt/nas/ceso/web/ID" or
	// "[datastore1] ceso-backups/web/ID".
	Location(p string) string
	// Create starts a new file at p, making parent directories. It fails
	// with ErrExist when p exists. The file appears at p only on Commit.
	Create(ctx context.Context, p string) (File, error)
	// Open reads the file at p, or fails with ErrNotExist.
	Open(ctx context.Context, p string) (io.ReadCloser, error)
	// Stat describes p, or fails with ErrNotExist.
	Stat(ctx context.Context, p string) (Info, error)
	// List returns the entries of directory dir ("" is the root), sorted
	// by name, or fails with ErrNotExist.
	List(ctx context.Context, dir string) ([]Info, error)
	// Rename moves a file or directory to a new path, making the new
	// parent directories. It fails with ErrExist when to exists and with
	// ErrNotExist when from does not.
	Rename(ctx context.Context, from, to string) error
	// RemoveAll removes a file or a directory with its content. A missing
	// path is not an error.
	RemoveAll(ctx context.Context, p string) error
}

// File is a file being written. Exactly one of Commit and Abort ends it.
type File interface {
	io.Writer
	// Commit finishes the file, checks the stored size and renames it to
	// its name.
	Commit() error
	// Abort discards the file.
	Abort() error
}

// Info describes a file or directory.
type Info struct {
	Name string
	Size int64
	Dir  bool
}

// CheckPath returns ErrInvalidPath unless p is a relative, clean,
// slash-separated path of plain names.
func CheckPath(p string) error {
	if p == "" || p == "." || strings.HasPrefix(p, "/") || strings.Contains(p, `\`) || path.Clean(p) != p {
		return fmt.Errorf("%w: %q", ErrInvalidPath, p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." || part == "" {
			return fmt.Errorf("%w: %q", ErrInvalidPath, p)
		}
		for _, r := range part {
			if r < 0x20 || r == 0x7f {
				return fmt.Errorf("%w: %q holds a control character", ErrInvalidPath, p)
			}
		}
	}
	return nil
}

// checkDir is CheckPath that also accepts "" (the root).
func checkDir(dir string) error {
	if dir == "" {
		return nil
	}
	return CheckPath(dir)
}

// tempName is where Create writes p until Commit.
func tempName(p string) string { return p + archive.TempSuffix }
