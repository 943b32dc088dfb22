package esxishell

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// volumes is where ESXi mounts its datastores.
const volumes = "/vmfs/volumes/"

// file is a path on the simulator's datastore, in the three forms the
// shell needs.
type file struct {
	shell string // /vmfs/volumes/datastore1/web01/web01.vmx
	ds    string // [datastore1] web01/web01.vmx
	local string // the file under the simulator's datastore directory
}

// resolve maps a shell path under /vmfs/volumes/<datastore>/ to the
// simulator's files. Any other path, a path that leaves the datastore, or
// the datastore's root itself is refused: the fake shell never touches
// another file.
func (s *Shell) resolve(p string) (file, error) {
	rest, ok := strings.CutPrefix(p, volumes)
	if !ok {
		return file{}, fmt.Errorf("%s: not on a datastore (%s…)", p, volumes)
	}
	ds, rel, _ := strings.Cut(rest, "/")
	if ds != s.sim.Datastore() {
		return file{}, fmt.Errorf("%s: no datastore %q on this host", p, ds)
	}
	for _, elem := range strings.Split(rel, "/") {
		if elem == ".." {
			return file{}, fmt.Errorf("%s: leaves the datastore", p)
		}
	}
	rel = path.Clean("/" + rel)[1:]
	if rel == "" {
		return file{}, fmt.Errorf("%s: the datastore's root", p)
	}
	return file{
		shell: volumes + ds + "/" + rel,
		ds:    "[" + ds + "] " + rel,
		local: filepath.Join(s.sim.DatastoreDir(), filepath.FromSlash(rel)),
	}, nil
}

// fromDatastorePath maps "[ds] rel" to the simulator's files.
func (s *Shell) fromDatastorePath(p string) (file, error) {
	if !strings.HasPrefix(p, "[") {
		return file{}, fmt.Errorf("%q is not a datastore path", p)
	}
	ds, rel, ok := strings.Cut(p[1:], "] ")
	if !ok {
		return file{}, fmt.Errorf("%q is not a datastore path", p)
	}
	return s.resolve(volumes + ds + "/" + rel)
}
