package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// DefaultFolder is the folder of a datastore target when its path is empty.
const DefaultFolder = "ceso-backups"

// Datastore is a target in a folder of a datastore of the host, reached over
// the host's HTTPS file access (/folder URLs) for data and its FileManager
// and datastore browser for directories, renames, listings and removals.
type Datastore struct {
	name   string
	folder string
	c      *client.Client
	ds     *object.Datastore
	dc     *object.Datacenter
	fm     *object.FileManager

	shell fileShell // set by the Set that opens it

	refusals client.Refusals // the host refused a change over the API

	mu   sync.Mutex // guards dirs
	dirs map[string]bool
}

var _ Target = (*Datastore)(nil)

// NewDatastore opens folder (DefaultFolder when empty) of the datastore
// named datastore on the host c is connected to. An unknown datastore fails
// with ErrUnavailable; the folder is created on first write.
func NewDatastore(ctx context.Context, name string, c *client.Client, datastore, folder string) (*Datastore, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: target %q", ErrNeedsHost, name)
	}
	if folder == "" {
		folder = DefaultFolder
	}
	folder = strings.Trim(folder, "/")
	if err := CheckPath(folder); err != nil {
		return nil, fmt.Errorf("target %q: %w", name, err)
	}
	if datastore == "" || strings.ContainsAny(datastore, "[]/") {
		return nil, fmt.Errorf("%w: target %q: datastore name %q", ErrUnavailable, name, datastore)
	}
	finder := find.NewFinder(c.Vim(), false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: target %q: finding the datacenter: %w", ErrUnavailable, name, client.Classify(err))
	}
	finder.SetDatacenter(dc)
	ds, err := finder.Datastore(ctx, datastore)
	if err != nil {
		return nil, fmt.Errorf("%w: target %q: datastore %q: %w", ErrUnavailable, name, datastore, client.Classify(err))
	}
	return &Datastore{
		name: name, folder: folder, c: c, ds: ds, dc: dc,
		fm:   object.NewFileManager(c.Vim()),
		dirs: map[string]bool{},
	}, nil
}

// Name is the target's name.
func (d *Datastore) Name() string { return d.name }

// Location is the datastore path of p.
func (d *Datastore) Location(p string) string { return d.dsPath(p) }

// rel is p under the target's folder.
func (d *Datastore) rel(p string) string {
	if p == "" {
		return d.folder
	}
	return d.folder + "/" + p
}

// dsPath is "[datastore] folder/p".
func (d *Datastore) dsPath(p string) string { return d.ds.Path(d.rel(p)) }

// mkdir makes dir (relative to the target) and its parents, once.
func (d *Datastore) mkdir(ctx context.Context, dir string) error {
	d.mu.Lock()
	known := d.dirs[dir]
	d.mu.Unlock()
	if known {
		return nil
	}
	err := d.change(ctx, "making directory "+d.dsPath(dir), func() error {
		err := d.fm.MakeDirectory(ctx, d.dsPath(dir), d.dc, true)
		if err != nil && !client.IsFault(err, &types.FileAlreadyExists{}) {
			return err
		}
		return nil
	}, func() (ssh.Command, error) { return d.MkdirCommand(dir) })
	if err != nil {
		return fmt.Errorf("making directory %s: %w", d.dsPath(dir), d.classify(err))
	}
	d.mu.Lock()
	d.dirs[dir] = true
	d.mu.Unlock()
	return nil
}

// forget drops what is known of dir and the directories under it.
func (d *Datastore) forget(dir string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range d.dirs {
		if k == dir || strings.HasPrefix(k, dir+"/") {
			delete(d.dirs, k)
		}
	}
}

// Create starts a file at p, streamed to the host as it is written.
func (d *Datastore) Create(ctx context.Context, p string) (File, error) {
	if err := CheckPath(p); err != nil {
		return nil, err
	}
	if _, err := d.Stat(ctx, p); err == nil {
		return nil, fmt.Errorf("creating %s: %w", d.dsPath(p), ErrExist)
	} else if !errors.Is(err, ErrNotExist) {
		return nil, err
	}
	if err := d.mkdir(ctx, path.Dir(p)); err != nil {
		return nil, err
	}
	return newUpload(ctx, d, p), nil
}

// Open reads the file at p.
func (d *Datastore) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := CheckPath(p); err != nil {
		return nil, err
	}
	u := d.ds.NewURL(d.rel(p))
	res, err := d.c.Vim().Client.DownloadRequest(ctx, u, &soap.DefaultDownload)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", d.dsPath(p), client.Classify(err))
	}
	switch res.StatusCode {
	case http.StatusOK:
		return res.Body, nil
	case http.StatusNotFound:
		_ = res.Body.Close()
		return nil, fmt.Errorf("reading %s: %w", d.dsPath(p), ErrNotExist)
	}
	_ = res.Body.Close()
	return nil, fmt.Errorf("reading %s: the host answered %s", d.dsPath(p), res.Status)
}

// Stat describes p.
func (d *Datastore) Stat(ctx context.Context, p string) (Info, error) {
	if err := CheckPath(p); err != nil {
		return Info{}, err
	}
	parent, base := path.Dir(p), path.Base(p)
	if parent == "." {
		parent = ""
	}
	list, err := d.search(ctx, parent, base)
	if err != nil {
		return Info{}, err
	}
	for _, i := range list {
		if i.Name == base {
			return i, nil
		}
	}
	return Info{}, fmt.Errorf("reading %s: %w", d.dsPath(p), ErrNotExist)
}

// List returns the entries of dir.
func (d *Datastore) List(ctx context.Context, dir string) ([]Info, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	list, err := d.search(ctx, dir, "*")
	if dir == "" && errors.Is(err, ErrNotExist) {
		return []Info{}, nil // the folder is made on first write
	}
	return list, err
}

// search lists the entries of dir whose names match pattern.
func (d *Datastore) search(ctx context.Context, dir, pattern string) ([]Info, error) {
	browser, err := d.ds.Browser(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", d.dsPath(dir), client.Classify(err))
	}
	spec := types.HostDatastoreBrowserSearchSpec{
		MatchPattern: []string{pattern},
		Query:        []types.BaseFileQuery{&types.FolderFileQuery{}, &types.FileQuery{}},
		Details:      &types.FileQueryFlags{FileSize: true, FileType: true},
	}
	task, err := browser.SearchDatastore(ctx, d.dsPath(dir), &spec)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", d.dsPath(dir), d.classify(err))
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", d.dsPath(dir), d.classify(err))
	}
	res, ok := info.Result.(types.HostDatastoreBrowserSearchResults)
	if !ok {
		return nil, fmt.Errorf("listing %s: unexpected result %T", d.dsPath(dir), info.Result)
	}
	out := make([]Info, 0, len(res.File))
	for _, f := range res.File {
		fi := f.GetFileInfo()
		_, isDir := f.(*types.FolderFileInfo)
		size := fi.FileSize
		if isDir {
			size = 0
		}
		out = append(out, Info{Name: path.Base(fi.Path), Size: size, Dir: isDir})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Rename moves from to to with the FileManager, never replacing to.
func (d *Datastore) Rename(ctx context.Context, from, to string) error {
	if err := CheckPath(from); err != nil {
		return err
	}
	if err := CheckPath(to); err != nil {
		return err
	}
	if _, err := d.Stat(ctx, from); err != nil {
		return err
	}
	if _, err := d.Stat(ctx, to); err == nil {
		return fmt.Errorf("renaming %s to %s: %w", d.dsPath(from), d.dsPath(to), ErrExist)
	}
	if err := d.mkdir(ctx, path.Dir(to)); err != nil {
		return err
	}
	err := d.change(ctx, "renaming "+d.dsPath(from), func() error {
		task, err := d.fm.MoveDatastoreFile(ctx, d.dsPath(from), d.dc, d.dsPath(to), d.dc, false)
		if err == nil {
			err = task.Wait(ctx)
		}
		return err
	}, func() (ssh.Command, error) { return d.MoveCommand(from, to) })
	if err != nil {
		return fmt.Errorf("renaming %s to %s: %w", d.dsPath(from), d.dsPath(to), d.classify(err))
	}
	d.forget(from)
	return nil
}

// RemoveAll removes p and everything under it.
func (d *Datastore) RemoveAll(ctx context.Context, p string) error {
	if err := CheckPath(p); err != nil {
		return err
	}
	if _, err := d.Stat(ctx, p); errors.Is(err, ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	err := d.change(ctx, "removing "+d.dsPath(p), func() error {
		task, err := d.fm.DeleteDatastoreFile(ctx, d.dsPath(p), d.dc)
		if err == nil {
			err = task.Wait(ctx)
		}
		return err
	}, func() (ssh.Command, error) { return d.RemoveCommand(p) })
	if err != nil && !client.IsFault(err, &types.FileNotFound{}) {
		return fmt.Errorf("removing %s: %w", d.dsPath(p), d.classify(err))
	}
	d.forget(p)
	return nil
}

// classify maps file faults to the target's sentinels.
func (d *Datastore) classify(err error) error {
	switch {
	case client.IsFault(err, &types.FileNotFound{}):
		return fmt.Errorf("%w: %w", ErrNotExist, err)
	case client.IsFault(err, &types.FileAlreadyExists{}):
		return fmt.Errorf("%w: %w", ErrExist, err)
	case client.IsFault(err, &types.NoDiskSpace{}), client.IsFault(err, &types.InsufficientStorageSpace{}):
		return fmt.Errorf("%w: %w", ErrFull, err)
	}
	return client.Classify(err)
}
