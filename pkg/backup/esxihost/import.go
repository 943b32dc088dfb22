package esxihost

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/nfc"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/vim25/progress"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// ImportSpec says what to import and where.
type ImportSpec struct {
	// Name is the new VM's name.
	Name string
	// Descriptor is the OVF descriptor.
	Descriptor string
	// Datastore receives the VM's files.
	Datastore string
	// Networks maps every network of the descriptor to a port group of the
	// host, by name.
	Networks map[string]string
	// Configure, when set, changes the VM's configuration in the import
	// spec before the host creates it.
	Configure func(*types.VirtualMachineConfigSpec)
}

// Import is an open import lease: the VM exists, its disks wait for data.
type Import struct {
	h        *Host
	lease    *nfc.Lease
	keeper   *keeper
	items    []Item
	VM       *object.VirtualMachine
	Warnings []string
}

// Import creates the VM of an OVF descriptor and opens the lease its disks
// are uploaded through. The caller must end the lease with Complete, or
// with Abort, which makes the host remove the VM.
func (h *Host) Import(ctx context.Context, s ImportSpec) (*Import, error) {
	f, err := h.find(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := f.Datastore(ctx, s.Datastore)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrDatastoreMissing, s.Datastore, err)
	}
	pool, err := f.DefaultResourcePool(ctx)
	if err != nil {
		return nil, fmt.Errorf("finding the host's resource pool: %w", client.Classify(err))
	}
	folder, err := f.DefaultFolder(ctx)
	if err != nil {
		return nil, fmt.Errorf("finding the host's VM folder: %w", client.Classify(err))
	}
	mapping, err := h.networkMapping(ctx, s.Networks)
	if err != nil {
		return nil, err
	}
	params := types.OvfCreateImportSpecParams{
		EntityName:       s.Name,
		DiskProvisioning: string(types.OvfCreateImportSpecParamsDiskProvisioningTypeThin),
		NetworkMapping:   mapping,
	}
	spec, err := ovf.NewManager(h.c.Vim()).CreateImportSpec(ctx, s.Descriptor, pool, ds, &params)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrImportSpec, client.Classify(err))
	}
	if len(spec.Error) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrImportSpec, spec.Error[0].LocalizedMessage)
	}
	vmSpec, ok := spec.ImportSpec.(*types.VirtualMachineImportSpec)
	if !ok {
		return nil, fmt.Errorf("%w: it describes a %T, not one VM", ErrImportSpec, spec.ImportSpec)
	}
	if err := h.placeFolder(ctx, ds, s.Name, &vmSpec.ConfigSpec); err != nil {
		return nil, err
	}
	if s.Configure != nil {
		s.Configure(&vmSpec.ConfigSpec)
	}
	if h.dry() {
		return h.dryImport(spec, vmSpec, s.Name), nil
	}
	lease, err := pool.ImportVApp(ctx, vmSpec, folder, nil)
	if err != nil {
		return nil, fmt.Errorf("importing VM %q: %w", s.Name, client.Classify(err))
	}
	return h.openImport(ctx, lease, spec, s.Name)
}

func (h *Host) openImport(ctx context.Context, lease *nfc.Lease, spec *types.OvfCreateImportSpecResult, name string) (*Import, error) {
	info, err := lease.Wait(ctx, spec.FileItem)
	if err != nil {
		abortLease(lease, err)
		return nil, fmt.Errorf("importing VM %q: %w", name, client.Classify(err))
	}
	imp := &Import{h: h, lease: lease, VM: object.NewVirtualMachine(h.c.Vim(), info.Entity)}
	for _, w := range spec.Warning {
		imp.Warnings = append(imp.Warnings, w.LocalizedMessage)
	}
	var total int64
	for _, it := range info.Items {
		key := it.DeviceId
		for _, d := range info.DeviceUrl {
			if d.ImportKey == it.DeviceId {
				key = d.Key
			}
		}
		imp.items = append(imp.items, Item{Key: key, Name: it.Path, Size: it.Size, Disk: !it.Create, url: it.URL, item: it})
		total += it.Size
	}
	imp.keeper = startKeeper(lease, total, keepInterval(time.Duration(info.LeaseTimeout)*time.Second))
	return imp, nil
}

// networkMapping resolves the host's port groups by name.
func (h *Host) networkMapping(ctx context.Context, networks map[string]string) ([]types.OvfNetworkMapping, error) {
	if len(networks) == 0 {
		return nil, nil
	}
	f, err := h.find(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(networks))
	for n := range networks {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []types.OvfNetworkMapping
	for _, from := range names {
		to := networks[from]
		net, err := f.Network(ctx, to)
		if err != nil {
			have, _ := h.Networks(ctx)
			return nil, fmt.Errorf("%w: network %q of the backup maps to %q, which the host does not have (it has: %s); map it with --network-map %q=PORTGROUP",
				ErrNetworkMissing, from, to, strings.Join(have, ", "), from)
		}
		out = append(out, types.OvfNetworkMapping{Name: from, Network: net.Reference()})
	}
	return out, nil
}

// Networks lists the host's networks (port groups) by name.
func (h *Host) Networks(ctx context.Context) ([]string, error) {
	f, err := h.find(ctx)
	if err != nil {
		return nil, err
	}
	list, err := f.NetworkList(ctx, "*")
	if err != nil {
		return nil, fmt.Errorf("listing the host's networks: %w", client.Classify(err))
	}
	var names []string
	for _, n := range list {
		if e, ok := n.(interface{ Name() string }); ok {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Took reports whether the lease asked for the file named name (an OVF
// descriptor that references the NVRAM file makes the host ask for it).
func (i *Import) Took(name string) bool {
	for _, it := range i.items {
		if name != "" && it.Name == name {
			return true
		}
	}
	return false
}

// Items lists the files to upload.
func (i *Import) Items() []Item { return i.items }

// Upload sends size bytes from r as the file of item. Bytes sent are
// counted towards the lease's progress.
func (i *Import) Upload(ctx context.Context, it Item, r io.Reader, size int64) error {
	if i.h.dry() {
		i.h.record(ops.Step{Via: "api", Action: "PUT " + it.Name, Detail: fmt.Sprintf("%d bytes through the import lease, SHA-256 checked on the fly", size)})
		return nil
	}
	body := &countingReader{r: r, k: i.keeper}
	// Without a sink of our own, the upload would report to the item's
	// channel, which only govmomi's lease updater reads.
	opts := soap.Upload{ContentLength: size, Progress: discardProgress}
	if err := i.lease.Upload(ctx, it.item, body, opts); err != nil {
		return fmt.Errorf("uploading %s: %w", it.Name, client.Classify(err))
	}
	return nil
}

// Manifest returns the host's SHA-1 of each file uploaded in full, by
// device key.
func (i *Import) Manifest(ctx context.Context) (map[string]string, error) {
	if i.h.dry() {
		i.h.record(ops.Step{Via: "api", Action: "HttpNfcLeaseGetManifest", Detail: "compare the host's SHA-1 of each disk"})
		return map[string]string{}, nil
	}
	return leaseManifest(ctx, i.lease)
}

// Complete ends the lease; the VM is then whole.
func (i *Import) Complete(ctx context.Context) error {
	if i.h.dry() {
		i.h.record(ops.Step{Via: "api", Action: "HttpNfcLeaseComplete", Detail: "the VM is whole"})
		return nil
	}
	i.keeper.halt()
	if err := i.lease.Complete(ctx); err != nil {
		err = client.Classify(err)
		if kerr := i.keeper.err(); kerr != nil {
			err = fmt.Errorf("%w (lease progress reports failed: %v)", err, kerr)
		}
		return fmt.Errorf("completing the import lease: %w", err)
	}
	return nil
}

// Abort ends the lease in error; the host removes the VM being imported.
func (i *Import) Abort(cause error) {
	if i.h.dry() {
		return
	}
	i.keeper.halt()
	abortLease(i.lease, cause)
}

// discardProgress is a progress sink that drops every report.
var discardProgress = progress.SinkFunc(func() chan<- progress.Report {
	ch := make(chan progress.Report)
	go func() {
		for range ch {
		}
	}()
	return ch
})

type countingReader struct {
	r io.Reader
	k *keeper
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.k.add(int64(n))
	return n, err
}

// dryImport is the import lease of a dry run: its items are those the
// import spec asks for, and its VM exists only in the plan.
func (h *Host) dryImport(spec *types.OvfCreateImportSpecResult, vmSpec *types.VirtualMachineImportSpec, name string) *Import {
	path := ""
	if vmSpec.ConfigSpec.Files != nil {
		path = vmSpec.ConfigSpec.Files.VmPathName
	}
	h.record(ops.Step{Via: "api", Action: "ImportVApp " + name, Detail: strings.TrimSpace("NFC lease, kept alive by HttpNfcLeaseProgress " + path)})
	imp := &Import{h: h, VM: h.plannedVM(name)}
	for _, w := range spec.Warning {
		imp.Warnings = append(imp.Warnings, w.LocalizedMessage)
	}
	for _, it := range spec.FileItem {
		imp.items = append(imp.items, Item{Key: it.DeviceId, Name: it.Path, Size: it.Size, Disk: !it.Create})
	}
	return imp
}
