package vm

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// ListFolder returns the names of the files in a datastore folder
// ("[datastore1] web01") and whether the folder exists. It only reads, with
// the datastore browser, and works on every licence.
func ListFolder(ctx context.Context, c *client.Client, dir string) ([]string, bool, error) {
	inv, err := loadInventory(ctx, c)
	if err != nil {
		return nil, false, err
	}
	return listFolder(ctx, c, inv, dir)
}

// listFolder returns the names of the files in a datastore folder
// ("[datastore1] web01"), and whether the folder exists, with the
// datastore browser (a read, allowed on every licence).
func listFolder(ctx context.Context, c *client.Client, inv *inventory, dir string) ([]string, bool, error) {
	ds, _, ok := splitDSPath(dir)
	if !ok {
		return nil, false, fmt.Errorf("%w: %q is not a datastore path", ErrInvalidSpec, dir)
	}
	info, err := inv.datastore(ds)
	if err != nil {
		return nil, false, err
	}
	req := types.SearchDatastore_Task{
		This:          info.browser,
		DatastorePath: dir,
		SearchSpec: &types.HostDatastoreBrowserSearchSpec{
			MatchPattern: []string{"*"},
			Details:      &types.FileQueryFlags{FileType: true},
		},
	}
	res, err := runTask(ctx, c, func(ctx context.Context) (*object.Task, error) {
		r, err := methods.SearchDatastore_Task(ctx, c.Vim(), &req)
		if err != nil {
			return nil, err
		}
		return object.NewTask(c.Vim(), r.Returnval), nil
	})
	if errors.Is(err, client.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("listing folder %s: %w", dir, err)
	}
	var names []string
	if r, ok := res.(types.HostDatastoreBrowserSearchResults); ok {
		for _, f := range r.File {
			names = append(names, f.GetFileInfo().Path)
		}
	}
	sort.Strings(names)
	return names, true, nil
}

// vmFolder returns the folder of a .vmx path, "" when the .vmx lies in the
// datastore's root (whose folder must never be removed).
func vmFolder(vmx string) string {
	ds, rel, ok := splitDSPath(vmx)
	if !ok {
		return ""
	}
	dir := path.Dir(rel)
	if dir == "." || dir == "/" || dir == "" {
		return ""
	}
	return dsPath(ds, dir)
}

// ignoreNotFound treats "nothing there" as done, for undo steps.
func ignoreNotFound(err error) error {
	if errors.Is(err, client.ErrNotFound) || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
