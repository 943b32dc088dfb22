package ssh

import (
	"fmt"
	"path"
	"strings"
)

// volumesDir is where ESXi mounts every datastore, under its name (a
// symbolic link) and its UUID.
const volumesDir = "/vmfs/volumes/"

// DatastorePath is a path in vSphere's notation, "[datastore1] dir/vm.vmx":
// a datastore name and a path relative to its root. The datastore may be
// empty when Path is absolute, as in "[] /var/run/crx/…/vCLS.vmx".
type DatastorePath struct {
	Datastore string
	Path      string
}

// String returns the path in vSphere's notation: "[ds] path", or "[ds]" for
// the datastore's root.
func (p DatastorePath) String() string {
	if p.Path == "" {
		return "[" + p.Datastore + "]"
	}
	return "[" + p.Datastore + "] " + p.Path
}

// Shell returns the path as the host's shell sees it.
func (p DatastorePath) Shell() string {
	if p.Datastore == "" {
		return p.Path
	}
	if p.Path == "" {
		return volumesDir + p.Datastore
	}
	return volumesDir + p.Datastore + "/" + p.Path
}

// ParseDatastorePath parses "[datastore] path". The datastore name may hold
// blanks; it may be empty only if the path is absolute. The path is cleaned
// (a trailing slash, "." and doubled slashes go) and may not hold a ".."
// element or a control character.
func ParseDatastorePath(s string) (DatastorePath, error) {
	if err := checkPathChars(s); err != nil {
		return DatastorePath{}, err
	}
	if !strings.HasPrefix(s, "[") {
		return DatastorePath{}, fmt.Errorf("datastore path %q does not start with [datastore]: %w", s, ErrInvalidArgument)
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return DatastorePath{}, fmt.Errorf("datastore path %q has no closing bracket: %w", s, ErrInvalidArgument)
	}
	ds, rest := s[1:end], s[end+1:]
	rest = strings.TrimPrefix(rest, " ")
	if err := checkDatastoreName(ds); err != nil {
		return DatastorePath{}, fmt.Errorf("datastore path %q: %w", s, err)
	}
	if ds == "" && !strings.HasPrefix(rest, "/") {
		return DatastorePath{}, fmt.Errorf("datastore path %q: an empty datastore needs an absolute path: %w", s, ErrInvalidArgument)
	}
	if ds != "" && strings.HasPrefix(rest, "/") {
		return DatastorePath{}, fmt.Errorf("datastore path %q: the path after the datastore must be relative: %w", s, ErrInvalidArgument)
	}
	clean, err := cleanPath(rest)
	if err != nil {
		return DatastorePath{}, fmt.Errorf("datastore path %q: %w", s, err)
	}
	return DatastorePath{Datastore: ds, Path: clean}, nil
}

// DatastorePathToShell converts "[datastore1] dir/vm.vmx" to
// "/vmfs/volumes/datastore1/dir/vm.vmx", and "[] /abs/path" to "/abs/path".
func DatastorePathToShell(p string) (string, error) {
	dp, err := ParseDatastorePath(p)
	if err != nil {
		return "", err
	}
	return dp.Shell(), nil
}

// ShellToDatastorePath converts an absolute shell path back to vSphere's
// notation: "/vmfs/volumes/ds/dir/vm.vmx" becomes "[ds] dir/vm.vmx" (ds being
// whatever the path names: a datastore name or its UUID), and any other
// absolute path becomes "[] /the/path".
func ShellToDatastorePath(p string) (string, error) {
	if err := checkPathChars(p); err != nil {
		return "", err
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("shell path %q is not absolute: %w", p, ErrInvalidArgument)
	}
	clean, err := cleanPath(p)
	if err != nil {
		return "", fmt.Errorf("shell path %q: %w", p, err)
	}
	if rest, ok := strings.CutPrefix(clean, volumesDir); ok {
		ds, rel, _ := strings.Cut(rest, "/")
		if checkDatastoreName(ds) == nil && ds != "" {
			return DatastorePath{Datastore: ds, Path: rel}.String(), nil
		}
	}
	return DatastorePath{Path: clean}.String(), nil
}

// cleanPath refuses ".." elements and returns the path cleaned, "" for the
// root of a datastore.
func cleanPath(p string) (string, error) {
	for elem := range strings.SplitSeq(p, "/") {
		if elem == ".." {
			return "", fmt.Errorf("path %q leaves its directory (..): %w", p, ErrInvalidArgument)
		}
	}
	if p == "" {
		return "", nil
	}
	c := path.Clean(p)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// checkDatastoreName refuses names that cannot be a single directory entry
// under /vmfs/volumes or that would not parse back.
func checkDatastoreName(ds string) error {
	switch {
	case ds == "." || ds == "..":
		return fmt.Errorf("datastore name %q: %w", ds, ErrInvalidArgument)
	case strings.ContainsAny(ds, "/[]"):
		return fmt.Errorf("datastore name %q holds a slash or a bracket: %w", ds, ErrInvalidArgument)
	}
	return nil
}

// checkPathChars refuses control characters, which no sane file name on a
// datastore holds and which would break the parsers of vim-cmd output.
func checkPathChars(s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return fmt.Errorf("path %q holds a control character: %w", s, ErrInvalidArgument)
		}
	}
	return nil
}
