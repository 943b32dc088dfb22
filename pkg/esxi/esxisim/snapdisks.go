package esxisim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// newDelta is a delta made for a disk, not yet in the VM's configuration.
type newDelta struct {
	key     int32
	backing types.BaseVirtualDeviceBackingInfo
	files   []string // local descriptor and data file
}

// remove deletes the delta's files (a snapshot that did not happen).
func (d newDelta) remove() {
	for _, f := range d.files {
		_ = os.Remove(f)
	}
}

// makeDeltas creates a new empty delta over the backing parents gives
// each disk (by device key; independent disks are left alone), in the VM's
// folder vmDir (a datastore path). Call with the VM locked.
func makeDeltas(ctx *simulator.Context, vmDir string, devices []types.BaseVirtualDevice,
	parents map[int32]types.BaseVirtualDeviceBackingInfo) ([]newDelta, types.BaseMethodFault) {
	var out []newDelta
	fail := func(err error, file string) ([]newDelta, types.BaseMethodFault) {
		for _, d := range out {
			d.remove()
		}
		return nil, &types.CannotCreateFile{FileFault: types.FileFault{File: file}}
	}
	localDir, ok := localPath(ctx, vmDir)
	if !ok {
		return nil, checkDatastorePath(ctx, vmDir)
	}
	for _, d := range object.VirtualDeviceList(devices).SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		parent, ok := parents[disk.Key]
		if !ok || independent(parent) {
			continue
		}
		desc, data, file, err := writeDelta(ctx, localDir, parent, diskCapacity(disk))
		if err != nil {
			return fail(err, file)
		}
		out = append(out, newDelta{
			key:     disk.Key,
			backing: deltaBacking(parent, path.Join(vmDir, filepath.Base(desc))),
			files:   []string{desc, data},
		})
	}
	return out, nil
}

// writeDelta writes the descriptor and the empty data file of a new delta
// over parent in localDir and returns their local paths.
func writeDelta(ctx *simulator.Context, localDir string, parent types.BaseVirtualDeviceBackingInfo, capacity int64) (desc, data, file string, err error) {
	parentDesc, ok := localPath(ctx, backingFile(parent))
	if !ok {
		return "", "", backingFile(parent), fmt.Errorf("no datastore holds %s", backingFile(parent))
	}
	c, err := openChain(parentDesc, capacity)
	if err != nil {
		return "", "", backingFile(parent), err
	}
	base := c.layers[len(c.layers)-1].desc
	parentCID := c.top().cid
	_ = c.Close()
	descName, dataName := deltaNames(localDir, base)
	desc, data = filepath.Join(localDir, descName), filepath.Join(localDir, dataName)
	if err := createDelta(data, capacity); err != nil {
		return "", "", data, err
	}
	hint := parentDesc
	if filepath.Dir(parentDesc) == localDir {
		hint = filepath.Base(parentDesc)
	}
	d := vmdk.Descriptor{
		Version: 1, Encoding: "UTF-8", CID: contentID(desc), ParentCID: parentCID,
		CreateType: deltaCreateType, ParentFileNameHint: filepath.ToSlash(hint),
		Extents: []vmdk.Extent{{Access: "RW", Sectors: (capacity + vmdk.SectorSize - 1) / vmdk.SectorSize, Type: "SESPARSE", File: dataName}},
		DDB:     map[string]string{"ddb.grain": "8", "ddb.thinProvisioned": "1", "ddb.virtualHWVersion": "21"},
	}
	if err := os.WriteFile(desc, []byte(d.String()), 0o600); err != nil {
		_ = os.Remove(data)
		return "", "", desc, err
	}
	return desc, data, "", nil
}

// contentID is a stable CID for a new descriptor.
func contentID(name string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	if cid := h.Sum32(); cid < 0xfffffffe {
		return cid
	}
	return 1
}

// setDevices replaces the VM's devices. Call with the VM locked.
func setDevices(ctx *simulator.Context, vm *simulator.VirtualMachine, devices []types.BaseVirtualDevice) {
	ctx.Update(vm, []types.PropertyChange{{Name: "config.hardware.device", Val: devices}})
}

// mergeIntoParent consolidates the delta child (a datastore path) into
// the disk parent below it, as removing the snapshot whose disk state is
// parent does, then deletes the delta's files.
func mergeIntoParent(ctx *simulator.Context, child string, capacity int64) error {
	local, ok := localPath(ctx, child)
	if !ok {
		return fmt.Errorf("no datastore holds %s", child)
	}
	c, err := openChain(local, capacity)
	if err != nil {
		return err
	}
	if len(c.layers) < 2 {
		_ = c.Close()
		return fmt.Errorf("%s is not a delta disk", child)
	}
	err = c.mergeInto(0, 1)
	files := []string{c.layers[0].desc, c.layers[0].data}
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return removeFiles(files)
}

// reparent points the delta descriptor child (datastore path) at a new
// parent descriptor, as ESXi rewrites parentFileNameHint when it
// consolidates the disk between them.
func reparent(ctx *simulator.Context, child, parent string) error {
	local, ok1 := localPath(ctx, child)
	parentLocal, ok2 := localPath(ctx, parent)
	if !ok1 || !ok2 {
		return fmt.Errorf("no datastore holds %s or %s", child, parent)
	}
	d, parsed, err := readDescriptor(local)
	if err != nil || !isDelta(d, parsed) {
		return fmt.Errorf("reading delta %s: %v", child, err)
	}
	hint := parentLocal
	if filepath.Dir(parentLocal) == filepath.Dir(local) {
		hint = filepath.Base(parentLocal)
	}
	d.ParentFileNameHint = filepath.ToSlash(hint)
	if p, ok, _ := readDescriptor(parentLocal); ok {
		d.ParentCID = p.CID
	}
	return os.WriteFile(local, []byte(d.String()), 0o600)
}

// deleteDelta removes a delta's descriptor and data file.
func deleteDelta(ctx *simulator.Context, file string) error {
	local, ok := localPath(ctx, file)
	if !ok {
		return nil
	}
	d, parsed, err := readDescriptor(local)
	if err != nil || !isDelta(d, parsed) {
		return nil // not a delta of ours: leave it
	}
	return removeFiles([]string{local, filepath.Join(filepath.Dir(local), d.Extents[0].File)})
}

func removeFiles(files []string) error {
	var errs []error
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
