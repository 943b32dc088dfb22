package vm

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the longest VM name ESXi accepts, in characters.
const MaxNameLength = 80

// ValidateName checks a name for a new VM. The rule: 1 to 80 characters of
// valid UTF-8; no '/', '\\' or '%' (ESXi escapes them in the inventory and
// names the VM's folder after it); no control characters; no leading or
// trailing space; not "." or "..". The name also names the VM's folder and
// files on the datastore.
func ValidateName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q %s", ErrInvalidName, name, why) }
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrInvalidName)
	case !utf8.ValidString(name):
		return bad("is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxNameLength:
		return bad(fmt.Sprintf("is longer than %d characters", MaxNameLength))
	case name == "." || name == "..":
		return bad("is not a usable name")
	case strings.TrimSpace(name) != name:
		return bad("begins or ends with a space")
	}
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || r == '%':
			return bad(fmt.Sprintf("contains %q, which ESXi does not allow in a VM name", r))
		case unicode.IsControl(r):
			return bad("contains a control character")
		}
	}
	return nil
}

// dsPath returns "[ds] p".
func dsPath(ds, p string) string {
	if p == "" {
		return "[" + ds + "]"
	}
	return "[" + ds + "] " + p
}

// splitDSPath splits "[ds] dir/file" into "ds" and "dir/file".
func splitDSPath(p string) (ds, rel string, ok bool) {
	if !strings.HasPrefix(p, "[") {
		return "", "", false
	}
	end := strings.Index(p, "]")
	if end < 0 {
		return "", "", false
	}
	return p[1:end], strings.TrimPrefix(p[end+1:], " "), true
}

// shellPath turns "[ds] dir/file" into "/vmfs/volumes/ds/dir/file", quoted
// for a POSIX shell, for the hints given when something is left behind.
func shellPath(p string) string {
	ds, rel, ok := splitDSPath(p)
	if !ok {
		return shellQuote(p)
	}
	return shellQuote(path.Join("/vmfs/volumes", ds, rel))
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// removeDirHint says how to remove a datastore folder by hand.
func removeDirHint(dir string) string {
	return "rm -rf " + shellPath(dir) + " in the host's shell, or delete the folder in the host client's datastore browser"
}

// removeDiskHint says how to remove a virtual disk by hand.
func removeDiskHint(disk string) string {
	return "vmkfstools -U " + shellPath(disk) + " in the host's shell"
}

// removeVMHint says how to remove a VM by hand.
func removeVMHint(ref VMRef) string {
	h := fmt.Sprintf("ceso vm delete %s --force", shellQuote(ref.Name))
	if ref.ID != "" {
		h += fmt.Sprintf(", or vim-cmd vmsvc/power.off %s; vim-cmd vmsvc/destroy %s in the host's shell", ref.ID, ref.ID)
	}
	return h
}
