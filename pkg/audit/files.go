package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// rotatedFiles returns the rotated files of the log at path, "path.1",
// "path.2", …, oldest first, with their numbers.
func rotatedFiles(path string) ([]string, []int, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("listing rotated audit files: %w", err)
	}
	var nums []int
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), base+".")
		if !ok || rest == "" || strings.TrimLeft(rest, "0123456789") != "" || rest[0] == '0' {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	paths := make([]string, len(nums))
	for i, n := range nums {
		paths[i] = path + "." + strconv.Itoa(n)
	}
	return paths, nums, nil
}

// Files returns the files of the log at path in chain order: the rotated
// files oldest first ("path.1", "path.2", …), then path itself if it
// exists. Verify takes this list.
func Files(path string) ([]string, error) {
	paths, _, err := rotatedFiles(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		paths = append(paths, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return paths, nil
}

// lastRecord returns the seq of the last record of the file at path and the
// hash of its line. The file must end with a whole record.
func lastRecord(path string) (uint64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("reading the last audit record: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, "", fmt.Errorf("reading the last audit record: %w", err)
	}
	size := fi.Size()
	if size == 0 {
		return 0, genesis, nil
	}
	for w := min(size, 64<<10); ; w = min(2*w, size) {
		buf := make([]byte, w)
		if _, err := f.ReadAt(buf, size-w); err != nil && !errors.Is(err, io.EOF) {
			return 0, "", fmt.Errorf("reading the last audit record: %w", err)
		}
		if buf[len(buf)-1] != '\n' {
			return 0, "", fmt.Errorf("%w: %s: the last line has no newline (a write was cut short); run \"ceso audit verify\", then move the file aside to start a new chain", ErrDamaged, path)
		}
		body := buf[:len(buf)-1]
		i := bytes.LastIndexByte(body, '\n')
		if i < 0 && w < size && w <= maxLine {
			continue // the line starts before the window
		}
		e, hash, err := parseLine(body[i+1:])
		if err != nil {
			return 0, "", fmt.Errorf("%w: %s: the last line: %w; run \"ceso audit verify\", then move the file aside to start a new chain", ErrDamaged, path, err)
		}
		return e.Seq, hash, nil
	}
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}
