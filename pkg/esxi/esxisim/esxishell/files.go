package esxishell

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/sshhost"
)

// mkdir runs mkdir [-p] DIR.
func (s *Shell) mkdir(args []string) result {
	parents := len(args) > 0 && args[0] == "-p"
	if parents {
		args = args[1:]
	}
	if len(args) != 1 {
		return failed("BusyBox: mkdir takes one directory here\n", 1)
	}
	f, err := s.resolve(args[0])
	if err != nil {
		return failed(fmt.Sprintf("mkdir: can't create directory '%s': Permission denied\n", args[0]), 1)
	}
	if parents {
		err = os.MkdirAll(f.local, 0o755)
	} else {
		err = os.Mkdir(f.local, 0o755)
	}
	if err != nil {
		return failed(fmt.Sprintf("mkdir: can't create directory '%s': %s\n", args[0], errnoText(err)), 1)
	}
	return ok("")
}

// rm runs rm [-f|-r|-rf] PATH.
func (s *Shell) rm(args []string) result {
	recursive, force := false, false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		for _, c := range args[0][1:] {
			switch c {
			case 'r', 'R':
				recursive = true
			case 'f':
				force = true
			default:
				return failed(fmt.Sprintf("rm: unrecognized option: %c\n", c), 1)
			}
		}
		args = args[1:]
	}
	if len(args) != 1 {
		return failed("BusyBox: rm takes one path here\n", 1)
	}
	f, err := s.resolve(args[0])
	if err != nil {
		return failed(fmt.Sprintf("rm: can't remove '%s': Permission denied\n", args[0]), 1)
	}
	if recursive {
		err = os.RemoveAll(f.local)
	} else {
		err = os.Remove(f.local)
	}
	if err != nil && !(force && errors.Is(err, fs.ErrNotExist)) {
		return failed(fmt.Sprintf("rm: can't remove '%s': %s\n", args[0], errnoText(err)), 1)
	}
	return ok("")
}

// cp runs cp SRC DST for a file (not a folder), as BusyBox does: an
// existing destination is overwritten.
func (s *Shell) cp(args []string) result {
	if len(args) != 2 || strings.HasPrefix(args[0], "-") {
		return failed("BusyBox: cp takes a source file and a destination here\n", 1)
	}
	from, err := s.resolve(args[0])
	if err != nil {
		return failed(fmt.Sprintf("cp: can't stat '%s': No such file or directory\n", args[0]), 1)
	}
	to, err := s.resolve(args[1])
	if err != nil {
		return failed(fmt.Sprintf("cp: can't create '%s': Permission denied\n", args[1]), 1)
	}
	in, err := os.Open(from.local)
	if err == nil {
		var st os.FileInfo
		if st, err = in.Stat(); err == nil && st.IsDir() {
			_ = in.Close()
			return failed(fmt.Sprintf("cp: omitting directory '%s'\n", args[0]), 1)
		}
	}
	if err != nil {
		return failed(fmt.Sprintf("cp: can't stat '%s': %s\n", args[0], errnoText(err)), 1)
	}
	defer in.Close()
	out, err := os.OpenFile(to.local, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return failed(fmt.Sprintf("cp: can't create '%s': %s\n", args[1], errnoText(err)), 1)
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return failed(fmt.Sprintf("cp: write error: %s\n", errnoText(err)), 1)
	}
	return ok("")
}

// sh runs the file-writing script of pkg/esxi/sshhost,
// sh -c SCRIPT sh PATH, writing stdin to a new file at PATH.
func (s *Shell) sh(args []string, stdin io.Reader) result {
	if len(args) != 4 || args[0] != "-c" || args[1] != sshhost.ScriptWrite || args[2] != "sh" {
		return failed("sh: this host's shell only runs ceso's file writes\n", 2)
	}
	path := args[3]
	f, err := s.resolve(path)
	if err != nil {
		return failed(fmt.Sprintf("sh: can't create %s: Permission denied\n", path), 2)
	}
	out, err := os.OpenFile(f.local, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return failed(fmt.Sprintf("sh: can't create %s: %s\n", path, errnoText(err)), 2)
	}
	_, werr := io.Copy(out, stdin)
	if cerr := out.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return failed(fmt.Sprintf("cat: write error: %s\n", errnoText(werr)), 1)
	}
	return ok("")
}

// errnoText is how BusyBox words a file error.
func errnoText(err error) string {
	switch {
	case errors.Is(err, fs.ErrExist):
		return "File exists"
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// mv runs mv [-n] SRC DST as BusyBox does: a DST that is a directory
// receives SRC; with -n an existing DST is left as it is (and mv still
// exits 0).
func (s *Shell) mv(args []string) result {
	noClobber := len(args) > 0 && args[0] == "-n"
	if noClobber {
		args = args[1:]
	}
	if len(args) != 2 {
		return failed("BusyBox: mv takes one source and one destination here\n", 1)
	}
	src, err := s.resolve(args[0])
	if err != nil {
		return failed(fmt.Sprintf("mv: can't rename '%s': Permission denied\n", args[0]), 1)
	}
	dst, err := s.resolve(args[1])
	if err != nil {
		return failed(fmt.Sprintf("mv: can't rename '%s': Permission denied\n", args[0]), 1)
	}
	if _, err := os.Lstat(src.local); err != nil {
		return failed(fmt.Sprintf("mv: can't rename '%s': %s\n", args[0], errnoText(err)), 1)
	}
	to := dst.local
	if st, err := os.Stat(to); err == nil && st.IsDir() {
		to = filepath.Join(to, filepath.Base(src.local))
	}
	if _, err := os.Lstat(to); err == nil && noClobber {
		return ok("")
	}
	if err := os.Rename(src.local, to); err != nil {
		return failed(fmt.Sprintf("mv: can't rename '%s': %s\n", args[0], errnoText(err)), 1)
	}
	return ok("")
}
