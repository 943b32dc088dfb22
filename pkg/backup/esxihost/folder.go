package esxihost

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// placeFolder puts the VM in a folder of its own. The host names the folder
// after the VM; when a folder of that name exists (the VM a restore
// replaces keeps its folder until it is removed), the VM goes to
// "<name>_1", "<name>_2", … as ESXi itself does, so that removing the other
// VM never touches the new one's files.
func (h *Host) placeFolder(ctx context.Context, ds *object.Datastore, name string, spec *types.VirtualMachineConfigSpec) error {
	taken, err := h.folders(ctx, ds, name)
	if err != nil {
		return err
	}
	folder := freeFolder(name, taken)
	if folder == name {
		return nil
	}
	spec.Files = &types.VirtualMachineFileInfo{VmPathName: ds.Path(folder + "/" + name + ".vmx")}
	moveDisks(spec, ds.Path(name+"/"), ds.Path(folder+"/"))
	return nil
}

// freeFolder is name, or the first of name_1, name_2, … not taken.
func freeFolder(name string, taken map[string]bool) string {
	if !taken[name] {
		return name
	}
	for i := 1; ; i++ {
		if folder := fmt.Sprintf("%s_%d", name, i); !taken[folder] {
			return folder
		}
	}
}

// FolderFor is the datastore path of the folder a new VM named name gets
// on the datastore, as placeFolder chooses it: "[ds] name", or "[ds]
// name_1", … when a folder of that name exists.
func (h *Host) FolderFor(ctx context.Context, datastore, name string) (string, error) {
	f, err := h.find(ctx)
	if err != nil {
		return "", err
	}
	ds, err := f.Datastore(ctx, datastore)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrDatastoreMissing, datastore, err)
	}
	taken, err := h.folders(ctx, ds, name)
	if err != nil {
		return "", err
	}
	return ds.Path(freeFolder(name, taken)), nil
}

// moveDisks points disks the import spec placed under the prefix from to
// the prefix to. Disks without a path follow the VM's folder by themselves.
func moveDisks(spec *types.VirtualMachineConfigSpec, from, to string) {
	for _, c := range spec.DeviceChange {
		disk, ok := c.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk)
		if !ok {
			continue
		}
		if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			fb := b.GetVirtualDeviceFileBackingInfo()
			if strings.HasPrefix(fb.FileName, from) {
				fb.FileName = to + strings.TrimPrefix(fb.FileName, from)
			}
		}
	}
}

// folders lists the names at the datastore's top level that begin with
// name.
func (h *Host) folders(ctx context.Context, ds *object.Datastore, name string) (map[string]bool, error) {
	browser, err := ds.Browser(ctx)
	if err != nil {
		return nil, fmt.Errorf("browsing datastore %s: %w", ds.Name(), client.Classify(err))
	}
	spec := types.HostDatastoreBrowserSearchSpec{
		MatchPattern: []string{"*"},
		Query:        []types.BaseFileQuery{&types.FolderFileQuery{}, &types.FileQuery{}},
	}
	task, err := browser.SearchDatastore(ctx, ds.Path(""), &spec)
	if err != nil {
		return nil, fmt.Errorf("browsing datastore %s: %w", ds.Name(), client.Classify(err))
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("browsing datastore %s: %w", ds.Name(), client.Classify(err))
	}
	out := map[string]bool{}
	if res, ok := info.Result.(types.HostDatastoreBrowserSearchResults); ok {
		for _, f := range res.File {
			if p := f.GetFileInfo().Path; strings.HasPrefix(p, name) {
				out[p] = true
			}
		}
	}
	return out, nil
}
