package esxisim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"
)

// createDatastore adds the host's local datastore under the model's home.
func (s *Simulator) createDatastore(ctx context.Context) error {
	s.dsDir = filepath.Join(s.home, "volumes", s.opts.Datastore)
	if err := os.MkdirAll(s.dsDir, 0o700); err != nil {
		return fmt.Errorf("creating datastore directory: %w", err)
	}
	host := object.NewHostSystem(s.vim, esx.HostSystem.Reference())
	dss, err := host.ConfigManager().DatastoreSystem(ctx)
	if err != nil {
		return fmt.Errorf("finding datastore system: %w", err)
	}
	if _, err := dss.CreateLocalDatastore(ctx, s.opts.Datastore, s.dsDir); err != nil {
		return fmt.Errorf("creating datastore %s: %w", s.opts.Datastore, err)
	}
	return nil
}

// findDatastore returns the datastore of that name, if any.
func findDatastore(ctx *simulator.Context, name string) *simulator.Datastore {
	for _, e := range ctx.Map.All("Datastore") {
		if ds, ok := e.(*simulator.Datastore); ok && ds.Name == name {
			return ds
		}
	}
	return nil
}

// checkDatastorePath returns InvalidDatastorePath when p does not parse or
// names no datastore of the host.
func checkDatastorePath(ctx *simulator.Context, p string) types.BaseMethodFault {
	var dp object.DatastorePath
	if !dp.FromString(p) || findDatastore(ctx, dp.Datastore) == nil {
		return &types.InvalidDatastorePath{
			InvalidDatastore: types.InvalidDatastore{Name: dp.Datastore},
			DatastorePath:    p,
		}
	}
	return nil
}

// checkSpecDatastores checks every datastore path of a VM config spec.
func checkSpecDatastores(ctx *simulator.Context, spec *types.VirtualMachineConfigSpec) types.BaseMethodFault {
	var paths []string
	if f := spec.Files; f != nil {
		for _, p := range []string{f.VmPathName, f.LogDirectory, f.SnapshotDirectory, f.SuspendDirectory} {
			if p != "" {
				paths = append(paths, p)
			}
		}
	}
	for _, dc := range spec.DeviceChange {
		d := dc.GetVirtualDeviceConfigSpec()
		if d.Device == nil {
			continue
		}
		if b, ok := d.Device.GetVirtualDevice().Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			if name := b.GetVirtualDeviceFileBackingInfo().FileName; name != "" {
				paths = append(paths, name)
			}
		}
	}
	for _, p := range paths {
		if f := checkDatastorePath(ctx, p); f != nil {
			return f
		}
	}
	return nil
}

// localPath maps a datastore path to the local file that holds it.
func localPath(ctx *simulator.Context, p string) (string, bool) {
	var dp object.DatastorePath
	if !dp.FromString(p) {
		return "", false
	}
	ds := findDatastore(ctx, dp.Datastore)
	if ds == nil {
		return "", false
	}
	return filepath.Join(ds.Info.GetDatastoreInfo().Url, filepath.FromSlash(dp.Path)), true
}

// vmNameTaken returns DuplicateName when another VM than self has name.
func vmNameTaken(ctx *simulator.Context, name string, self types.ManagedObjectReference) types.BaseMethodFault {
	for _, e := range ctx.Map.All("VirtualMachine") {
		vm := e.Entity()
		if vm.Self != self && vm.Name == name {
			return &types.DuplicateName{Name: name, Object: vm.Self}
		}
	}
	return nil
}
