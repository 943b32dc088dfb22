package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// OVFManifest renders the .mf file of an OVF package: one line
// "SHA256(name)= digest" for the descriptor, every disk and the NVRAM file,
// in manifest order. ovftool checks the files against it before importing.
func OVFManifest(files []File) []byte {
	var b bytes.Buffer
	for _, f := range files {
		if f.Kind == KindDescriptor || f.Kind == KindDisk || f.Kind == KindNVRAM {
			fmt.Fprintf(&b, "SHA256(%s)= %s\n", f.Name, f.SHA256)
		}
	}
	return b.Bytes()
}

// ParseOVFManifest reads a .mf file into a map from file name to digest in
// lower-case hex. It accepts the algorithms ovftool writes (SHA1, SHA256,
// SHA512) and returns the algorithm of each entry with the digest, as
// "SHA256:hex".
func ParseOVFManifest(data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		open := strings.IndexByte(line, '(')
		closeEq := strings.LastIndex(line, ")=")
		if open <= 0 || closeEq < open {
			return nil, fmt.Errorf("%w: .mf line %d: %q is not ALGO(file)= digest", ErrInvalidManifest, n, line)
		}
		algo, name := line[:open], line[open+1:closeEq]
		digest := strings.ToLower(strings.TrimSpace(line[closeEq+2:]))
		switch algo {
		case "SHA1", "SHA256", "SHA512":
		default:
			return nil, fmt.Errorf("%w: .mf line %d: unknown algorithm %q", ErrInvalidManifest, n, algo)
		}
		if name == "" || digest == "" {
			return nil, fmt.Errorf("%w: .mf line %d: empty file name or digest", ErrInvalidManifest, n)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%w: .mf line %d: %q listed twice", ErrInvalidManifest, n, name)
		}
		out[name] = algo + ":" + digest
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidManifest, err)
	}
	return out, nil
}
