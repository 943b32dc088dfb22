package esxisim

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/ceso/ceso/pkg/vmdk"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// copyDiskCorrection keeps the data of a disk copied with a destination
// spec, and consolidates a delta disk's chain. ESXi needs the spec (thin,
// adapter type) and copies the data extent whatever it says; vcsim, given
// a spec, rewrites every copied file as a descriptor, the -flat.vmdk
// included, so the copy loses its bytes. The spec only changes how a real
// host allocates the copy, which the simulator does not model, so it is
// dropped after being checked. A source that is a snapshot delta is copied
// as ESXi copies it: its current state through the chain, into one flat
// disk (vcsim would copy a "-flat.vmdk" that a delta does not have).
func copyDiskCorrection(s *Simulator, ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	req, ok := m.Body.(*types.CopyVirtualDisk_Task)
	if !ok {
		return nil, nil
	}
	if spec, ok := req.DestSpec.(*types.VirtualDiskSpec); ok {
		switch types.VirtualDiskType(spec.DiskType) {
		case "", types.VirtualDiskTypeThin, types.VirtualDiskTypeThick, types.VirtualDiskTypeEagerZeroedThick, types.VirtualDiskTypePreallocated:
		default:
			return nil, &types.InvalidArgument{InvalidProperty: "destSpec.diskType"}
		}
	}
	if local, ok := localPath(ctx, req.SourceName); ok {
		if d, parsed, err := readDescriptor(local); err == nil && isDelta(d, parsed) {
			return viaDetour(s, ctx, m)
		}
	}
	req.DestSpec = nil
	return nil, nil
}

// CopyVirtualDiskTask copies a delta disk's current state into a new thin
// disk: a "-flat.vmdk" and its vmfs descriptor.
func (d *detour) CopyVirtualDiskTask(ctx *simulator.Context, req *types.CopyVirtualDisk_Task) soap.HasFault {
	vdm := ctx.Map.Get(req.This)
	if vdm == nil {
		return &methods.CopyVirtualDisk_TaskBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.This})}
	}
	task := simulator.CreateTask(vdm, "copyVirtualDisk", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		return nil, copyChain(ctx, req)
	})
	return &methods.CopyVirtualDisk_TaskBody{Res: &types.CopyVirtualDisk_TaskResponse{Returnval: task.Run(ctx)}}
}

func copyChain(ctx *simulator.Context, req *types.CopyVirtualDisk_Task) types.BaseMethodFault {
	src, _ := localPath(ctx, req.SourceName)
	dst, ok := localPath(ctx, req.DestName)
	if !ok {
		return checkDatastorePath(ctx, req.DestName)
	}
	if _, err := os.Stat(filepath.Dir(dst)); err != nil {
		return &types.FileNotFound{FileFault: types.FileFault{File: req.DestName}}
	}
	if _, err := os.Stat(dst); err == nil && !isTrue(req.Force) {
		return &types.FileAlreadyExists{FileFault: types.FileFault{File: req.DestName}}
	}
	desc, _, err := readDescriptor(src)
	if err != nil {
		return &types.FileNotFound{FileFault: types.FileFault{File: req.SourceName}}
	}
	c, err := openChain(src, desc.Capacity())
	if err != nil {
		return &types.FileFault{File: req.SourceName}
	}
	defer c.Close()
	flat := simulator.VirtualDiskBackingFileName(dst)
	if err := c.copyFlat(flat); err != nil {
		return &types.CannotCreateFile{FileFault: types.FileFault{File: req.DestName}}
	}
	adapter := "lsilogic"
	if spec, ok := req.DestSpec.(*types.VirtualDiskSpec); ok && spec.AdapterType != "" {
		adapter = strings.ToLower(spec.AdapterType) // lsiLogic -> lsilogic, as descriptors spell it
	}
	out := vmdk.VMFSDescriptor(filepath.Base(flat), vmdk.DiskInfo{Capacity: desc.Capacity(), AdapterType: adapter, CID: contentID(dst)}, true)
	if err := os.WriteFile(dst, []byte(out.String()), 0o600); err != nil {
		return &types.CannotCreateFile{FileFault: types.FileFault{File: req.DestName}}
	}
	return nil
}

func isTrue(b *bool) bool { return b != nil && *b }
