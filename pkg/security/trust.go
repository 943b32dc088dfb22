package security

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// owner is a file's owner and group, as fileOwner reads them.
type owner struct{ uid, gid int }

// trust checks the policy file at path (already opened, fi from the open
// file) and every directory above it.
func (l PolicyLoader) trust(path string, fi fs.FileInfo) error {
	uid := os.Getuid()
	if l.Getuid != nil {
		uid = l.Getuid()
	}
	groups, err := l.groups()
	if err != nil {
		return fmt.Errorf("%w: reading your groups: %w", ErrPolicyUntrusted, err)
	}
	trusted := l.TrustedOwners
	if trusted == nil {
		trusted = []int{0}
	}
	o, ok := fileOwner(fi)
	if !ok {
		return fmt.Errorf("%w: %s: cannot read the file's owner on this system", ErrPolicyUntrusted, path)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrPolicyUntrusted, path)
	}
	if !slices.Contains(trusted, o.uid) {
		return fmt.Errorf("%w: %s is owned by uid %d, want one of %v (root, or the administrator)", ErrPolicyUntrusted, path, o.uid, trusted)
	}
	if why := writableBy(fi.Mode(), o, uid, groups); why != "" {
		return fmt.Errorf("%w: %s is writable by you (uid %d) %s; make it 0644 and owned by root", ErrPolicyUntrusted, path, uid, why)
	}
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		di, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPolicyUntrusted, err)
		}
		do, ok := fileOwner(di)
		if !ok {
			return fmt.Errorf("%w: %s: cannot read the directory's owner", ErrPolicyUntrusted, dir)
		}
		// In a sticky directory (/tmp) no one can replace another's file.
		if why := writableBy(di.Mode(), do, uid, groups); why != "" && di.Mode()&fs.ModeSticky == 0 {
			return fmt.Errorf("%w: directory %s is writable by you (uid %d) %s, so the policy could be replaced", ErrPolicyUntrusted, dir, uid, why)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

func (l PolicyLoader) groups() ([]int, error) {
	if l.Groups != nil {
		return l.Groups()
	}
	g, err := os.Getgroups()
	if err != nil {
		return nil, err
	}
	return append(g, os.Getgid()), nil
}

// writableBy says how the user uid (in groups) can write a file of mode m
// owned by o, or "" when they cannot. Root is the administrator: what root
// can write is not held against a policy read by root.
func writableBy(m fs.FileMode, o owner, uid int, groups []int) string {
	perm := m.Perm()
	switch {
	case uid == 0:
		return ""
	case perm&0o002 != 0:
		return "(it is writable by everyone)"
	case perm&0o020 != 0 && slices.Contains(groups, o.gid):
		return fmt.Sprintf("through group %d", o.gid)
	case perm&0o200 != 0 && o.uid == uid:
		return "as its owner"
	case o.uid == uid:
		return "as its owner (who can change its mode)"
	}
	return ""
}
