package esxisim

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// copyDiskCorrection keeps the data of a disk copied with a destination
// spec. ESXi needs the spec (thin, adapter type) and copies the data extent
// whatever it says; vcsim, given a spec, rewrites every copied file as a
// descriptor, the -flat.vmdk included, so the copy loses its bytes. The
// spec only changes how a real host allocates the copy, which the
// simulator does not model, so it is dropped after being checked.
func copyDiskCorrection(_ *Simulator, _ *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	req, ok := m.Body.(*types.CopyVirtualDisk_Task)
	if !ok || req.DestSpec == nil {
		return nil, nil
	}
	if spec, ok := req.DestSpec.(*types.VirtualDiskSpec); ok {
		switch types.VirtualDiskType(spec.DiskType) {
		case "", types.VirtualDiskTypeThin, types.VirtualDiskTypeThick, types.VirtualDiskTypeEagerZeroedThick, types.VirtualDiskTypePreallocated:
		default:
			return nil, &types.InvalidArgument{InvalidProperty: "destSpec.diskType"}
		}
	}
	req.DestSpec = nil
	return nil, nil
}
