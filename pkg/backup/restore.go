package backup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/backup/vmlock"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// Restore makes a VM of a backup. It checks the archive first (manifest
// against the catalog, descriptor, configuration record, NVRAM file, every
// file's stored size), then imports the descriptor as a new VM and uploads
// each disk decompressed and checked on the fly: a SHA-256 or size mismatch
// aborts the import, and the host removes the partial VM. The NVRAM file
// goes through the import when the descriptor names it, otherwise into the
// VM's folder, named by its nvram setting. The restored VM gets a new BIOS
// UUID and new MAC addresses, and, when the backup holds cloud-init
// guestinfo, a new instance-id, host name and network configuration (see
// RestoreRequest.NICs).
//
// A host whose licence refuses the import (the free licence) gets the VM
// made with its own tools over SSH instead (importShell), each step noted.
//
// With Replace the VM of the original name, if any, is shut down and set
// aside first (renamed, or over SSH unregistered), and removed only once
// the restored VM is whole; a failed restore gives it its name (or its
// registration) and power state back.
func Restore(ctx context.Context, d Deps, req RestoreRequest) (res RestoreResult, err error) {
	start := time.Now()
	defer func() { d.observer().RestoreFinished(statusOf(err), time.Since(start), res.Bytes) }()
	if err := req.validate(); err != nil {
		return res, err
	}
	if err := d.needs(true); err != nil {
		return res, err
	}
	d = d.planning()
	e, err := d.Catalog.GetBackup(req.ID)
	if err != nil {
		return res, err
	}
	if e.Status != storage.StatusComplete {
		return res, fmt.Errorf("%w: backup %s is %s", ErrNotComplete, e.ID, e.Status)
	}
	h := d.host()
	r := &restoreRun{d: d, req: req, e: e, h: h, w: newWrites(d, h), name: req.AsNew}
	if req.Replace {
		r.name = e.VMName
	}
	release, err := r.lock()
	if err != nil {
		return res, err
	}
	defer release()
	if r.t, err = d.Targets.Get(ctx, e.Target); err != nil {
		return res, fmt.Errorf("restoring backup %s: %w", e.ID, err)
	}
	if r.l, err = loadArchive(ctx, r.t, e); err != nil {
		return res, fmt.Errorf("restoring backup %s: the archive is not whole, nothing was changed: %w", e.ID, err)
	}
	if err := r.prepare(ctx); err != nil {
		return res, fmt.Errorf("restoring backup %s: %w", e.ID, err)
	}
	res, err = r.run(ctx)
	if err != nil {
		return res, fmt.Errorf("restoring backup %s as %q: %w", e.ID, r.name, err)
	}
	return res, nil
}

// restoreRun is one restore in progress.
type restoreRun struct {
	d    Deps
	req  RestoreRequest
	e    storage.Entry
	h    *esxihost.Host
	w    *writes
	t    target.Target
	l    *loaded
	name string

	// viaShell: the VM was made over SSH (the licence refused ImportVApp);
	// instanceID and macs are what its .vmx carries.
	viaShell   bool
	instanceID string
	macs       []string
	// leaseNVRAM: the import lease took the NVRAM file.
	leaseNVRAM bool

	aside      esxihost.VM // the replaced VM, renamed aside
	asideName  string
	asidePower string
	asideVMX   string // set when the VM was set aside by unregistering it (over SSH)
	networks   map[string]string
	datastore  string
}

// lock takes the backup's VM lock, shared (its files are read), and the
// lock of the name restored to, exclusive, when it is another VM's, or
// exclusive on the one VM for Replace.
func (r *restoreRun) lock() (func(), error) {
	src, dst := archive.SafeName(r.e.VMName), archive.SafeName(r.name)
	mode := vmlock.Shared
	if r.req.Replace || src == dst {
		mode = vmlock.Exclusive
	}
	a, err := r.d.lockVMMode(src, mode, "restore of "+r.e.ID)
	if err != nil {
		return nil, fmt.Errorf("restoring backup %s: %w", r.e.ID, err)
	}
	if src == dst {
		return a, nil
	}
	b, err := r.d.lockVMMode(dst, vmlock.Exclusive, "restore of "+r.e.ID)
	if err != nil {
		a()
		return nil, fmt.Errorf("restoring backup %s: %w", r.e.ID, err)
	}
	return func() { b(); a() }, nil
}

// prepare checks everything that can be checked before the host changes:
// the name, the datastore, the network mapping, the guest identity.
func (r *restoreRun) prepare(ctx context.Context) error {
	if !r.req.Replace {
		if _, err := r.h.Find(ctx, r.name); err == nil {
			return fmt.Errorf("%w: %q; choose another name or restore with --replace", ErrVMExists, r.name)
		} else if !errors.Is(err, vm.ErrNotFound) {
			return err
		}
	}
	r.datastore = r.req.Datastore
	if r.datastore == "" {
		r.datastore = r.l.config.Datastore
	}
	if r.datastore == "" {
		return fmt.Errorf("%w: the backup does not say which datastore the VM was on; pass --datastore", ErrInvalidRequest)
	}
	var err error
	if r.networks, err = networkMap(r.l.desc.Networks, r.req.NetworkMap); err != nil {
		return err
	}
	// Rehearse the guest identity with the original adapters, so that a
	// bad host name or address is refused before anything is created.
	_, _, err = r.guestinfo(r.l.config.MACs())
	return err
}

// networkMap maps every network of the descriptor to a port group: the one
// the request names, else the one of the same name.
func networkMap(networks []string, req map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range networks {
		out[n] = n
		if to, ok := req[n]; ok && to != "" {
			out[n] = to
		}
	}
	for from := range req {
		if _, ok := out[from]; !ok {
			return nil, fmt.Errorf("%w: the backup has no network %q (its networks: %q)", ErrInvalidRequest, from, networks)
		}
	}
	return out, nil
}

// run replaces or creates the VM and gives it its identity.
func (r *restoreRun) run(ctx context.Context) (res RestoreResult, err error) {
	res.BackupID, res.VM = r.e.ID, r.name
	whole := false
	if r.req.Replace {
		if err := r.setAside(ctx); err != nil {
			return res, err
		}
		defer func() {
			if err != nil && !whole {
				err = errors.Join(err, r.putBack(ctx))
			}
		}()
	}
	v, n, err := r.importVM(ctx)
	if err != nil {
		return res, err
	}
	res.Bytes = n
	identity := r.identity
	if r.viaShell {
		identity = r.identityShell
	}
	if err := identity(ctx, v, &res); err != nil {
		r.discard(ctx, v, false)
		return res, err
	}
	whole = true
	if r.aside != nil {
		res.Replaced = true
		r.removeAside(ctx)
	}
	if r.req.PowerOn {
		if err := r.w.powerOn(ctx, v, r.name); err != nil {
			return res, fmt.Errorf("the VM is restored but did not power on: %w", err)
		}
		res.PoweredOn = true
	}
	note(ctx, r.d, "restored backup %s of %s as %s", r.e.ID, r.e.VMName, r.name)
	return res, nil
}
