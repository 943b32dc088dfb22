package ssh

import (
	"fmt"
	"strings"
)

// dataPath parses a path for the file commands below: inside a named
// datastore, at least minDepth segments deep, no segment hidden or
// starting with "-".
func dataPath(what, datastorePath string, minDepth int) (DatastorePath, error) {
	dp, err := ParseDatastorePath(datastorePath)
	if err != nil {
		return DatastorePath{}, err
	}
	if dp.Datastore == "" {
		return DatastorePath{}, fmt.Errorf("%s %q: not on a named datastore: %w", what, datastorePath, ErrInvalidArgument)
	}
	segs := strings.Split(dp.Path, "/")
	if dp.Path == "" || len(segs) < minDepth {
		return DatastorePath{}, fmt.Errorf("%s %q: want a path at least %d folders deep inside the datastore: %w", what, datastorePath, minDepth, ErrInvalidArgument)
	}
	for _, s := range segs {
		if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "-") || strings.TrimSpace(s) == "" {
			return DatastorePath{}, fmt.Errorf("%s %q: segment %q is hidden or not a name: %w", what, datastorePath, s, ErrInvalidArgument)
		}
	}
	return dp, nil
}

// RemoveTree deletes a file or a folder and everything in it: rm -rf
// /vmfs/volumes/ds/a/b. It is for ceso's own files (a backup under a
// target's folder), so the path must be at least two segments deep: never
// a datastore's root or a folder directly under it (a VM's folder; see
// RemoveVMDir for those).
func RemoveTree(datastorePath string) (Command, error) {
	dp, err := dataPath("remove", datastorePath, 2)
	if err != nil {
		return Command{}, err
	}
	return Command{Argv: []string{"rm", "-rf", dp.Shell()}}, nil
}

// Move renames a file or folder within one datastore, never replacing an
// existing file: mv -n /vmfs/volumes/ds/SRC /vmfs/volumes/ds/DST.
func Move(srcDatastorePath, dstDatastorePath string) (Command, error) {
	src, err := dataPath("move", srcDatastorePath, 1)
	if err != nil {
		return Command{}, err
	}
	dst, err := dataPath("move", dstDatastorePath, 1)
	if err != nil {
		return Command{}, err
	}
	switch {
	case src.Datastore != dst.Datastore:
		return Command{}, fmt.Errorf("move %q to %q: not within one datastore: %w", srcDatastorePath, dstDatastorePath, ErrInvalidArgument)
	case src.Path == dst.Path, strings.HasPrefix(dst.Path, src.Path+"/"):
		return Command{}, fmt.Errorf("move %q to %q: the destination is the source or inside it: %w", srcDatastorePath, dstDatastorePath, ErrInvalidArgument)
	}
	return Command{Argv: []string{"mv", "-n", src.Shell(), dst.Shell()}}, nil
}
