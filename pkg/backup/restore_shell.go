package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/progress"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/vmdk"
)

// importShell restores the VM with the host's own tools, for a host whose
// licence refuses ImportVApp: mkdir of the VM's folder; each disk uploaded
// as raw data with a descriptor over the datastore's HTTPS file access
// (a streamOptimized disk converted while it streams) and imported with
// vmkfstools -i … -d thin, its upload then removed; the NVRAM file
// uploaded; the .vmx written over SSH (its content on stdin) with the
// backup's hardware, new static MAC addresses, the new guestinfo and the
// NVRAM file; vim-cmd solo/registervm. A failure removes the folder and,
// once registered, the VM.
func (r *restoreRun) importShell(ctx context.Context) (esxihost.VM, int64, error) {
	folder, err := r.h.FolderFor(ctx, r.datastore, r.name)
	if err != nil {
		return nil, 0, fmt.Errorf("%w; choose one with --datastore", err)
	}
	sh := r.w.shell()
	r.w.noteShell(ctx, "making folder "+folder)
	if err := sh.MakeDir(ctx, folder); err != nil {
		return nil, 0, err
	}
	undo := func() {
		if err := sh.DeleteDir(context.WithoutCancel(ctx), folder); err != nil {
			note(ctx, r.d, "removing %s failed (%v): remove it yourself", folder, err)
		}
	}
	disks, n, err := r.placeDisks(ctx, sh, folder)
	if err == nil {
		err = r.placeNVRAM(ctx, folder)
	}
	var v esxihost.VM
	if err == nil {
		v, err = r.registerShell(ctx, folder, disks)
	}
	if err != nil {
		if v != nil {
			r.discard(ctx, v, false)
		}
		undo()
		return nil, n, err
	}
	return v, n, nil
}

// placeDisks uploads and imports every disk of the backup into folder.
func (r *restoreRun) placeDisks(ctx context.Context, sh vm.Host, folder string) ([]string, int64, error) {
	files := r.l.manifest.OfKind(archive.KindDisk)
	paths := diskPaths(folder, r.name, len(files))
	var total int64
	for _, d := range r.l.config.Disks {
		total += d.CapacityBytes
	}
	bar := progress.New(r.d.Progress, r.d.ProgressTTY, "restore "+r.name, total)
	defer bar.Finish()
	var n int64
	for i, f := range files {
		bar.SetLabel("restore " + f.Name)
		staging := stagingPath(folder, r.name, i)
		size, err := r.uploadRaw(ctx, f, i, staging, bar)
		if err != nil {
			return nil, n, fmt.Errorf("uploading disk %s: %w", f.Name, err)
		}
		n += size
		r.w.noteShell(ctx, fmt.Sprintf("importing disk %s as %s", f.Name, paths[i]))
		if err := sh.CopyDisk(ctx, staging, paths[i], ""); err != nil {
			return nil, n, err
		}
		if err := sh.DeleteDisk(ctx, staging); err != nil {
			return nil, n, fmt.Errorf("removing the upload %s: %w", staging, err)
		}
	}
	return paths, n, nil
}

// uploadRaw uploads the stored disk f as a flat disk at staging (its data
// file and a VMFS descriptor) and returns the raw bytes sent.
func (r *restoreRun) uploadRaw(ctx context.Context, f archive.File, i int, staging string, bar *progress.Bar) (int64, error) {
	if r.d.dry() {
		size := int64(0)
		if i < len(r.l.config.Disks) {
			size = r.l.config.Disks[i].CapacityBytes
		}
		r.d.Plan(step("api", "PUT "+flatOf(staging), "%s decompressed, converted to raw data when streamOptimized, SHA-256 checked on the fly", f.Name))
		return size, r.putDescriptor(ctx, staging, size, "")
	}
	raw, err := openRaw(ctx, r.d, r.l.dir, f, r.t.Open)
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	if err := r.h.Put(ctx, flatOf(staging), &barReader{r: raw, bar: bar}, raw.Size); err != nil {
		return 0, err
	}
	adapter := raw.Adapter
	if adapter == "" && i < len(r.l.config.Disks) && controllerKind(r.l.config.Disks[i].Controller) == "ide" {
		adapter = "ide"
	}
	return raw.Size, r.putDescriptor(ctx, staging, raw.Size, adapter)
}

// putDescriptor uploads the VMFS descriptor of the flat data file of the
// disk at p.
func (r *restoreRun) putDescriptor(ctx context.Context, p string, capacity int64, adapter string) error {
	d := vmdk.VMFSDescriptor(base(flatOf(p)), vmdk.DiskInfo{Capacity: capacity, AdapterType: adapter}, false)
	text := []byte(d.String())
	return r.h.Put(ctx, p, bytes.NewReader(text), int64(len(text)))
}

// placeNVRAM uploads the backup's NVRAM file into folder.
func (r *restoreRun) placeNVRAM(ctx context.Context, folder string) error {
	p, f, ok := r.nvramFile(folder)
	if !ok {
		return nil
	}
	data, err := readChecked(ctx, r.t, r.l.dir, f)
	if err != nil {
		return err
	}
	return r.h.Put(ctx, p, bytes.NewReader(data), int64(len(data)))
}

// registerShell writes the .vmx and registers the VM.
func (r *restoreRun) registerShell(ctx context.Context, folder string, disks []string) (esxihost.VM, error) {
	macs, err := staticMACs(len(r.l.config.NICs), r.d.dry())
	if err != nil {
		return nil, err
	}
	keys, instanceID, err := r.guestinfo(macs)
	if err != nil {
		return nil, err
	}
	if p, _, ok := r.nvramFile(folder); ok {
		keys["nvram"] = base(p)
	}
	nv := r.newVM(folder, disks, keys)
	content, err := vmxText(nv, macs)
	if err != nil {
		return nil, err
	}
	shellPath, err := ssh.DatastorePathToShell(nv.Path)
	if err != nil {
		return nil, err
	}
	write := ssh.Command{Argv: []string{"sh", "-c", sshhost.ScriptWrite, "sh", shellPath}, Stdin: content}
	register, err := ssh.RegisterVM(nv.Path)
	if err != nil {
		return nil, err
	}
	r.w.noteShell(ctx, "creating VM "+r.name)
	r.instanceID, r.macs = instanceID, macs
	if r.d.dry() {
		r.w.record(write, fmt.Sprintf("writes the .vmx of %s: %d bytes on stdin, SHA-256 %x", r.name, len(content), sha256.Sum256(content)))
		r.w.record(register, "prints the new VM's vmid")
		return r.h.PlannedVM(r.name), nil
	}
	if err := r.w.exec(ctx, write, ""); err != nil {
		return nil, fmt.Errorf("writing %s over ssh: %w", nv.Path, err)
	}
	res, err := r.w.output(ctx, register)
	if err != nil {
		return nil, err
	}
	if _, err := ssh.ParseRegisterVM(res.Output()); err != nil {
		return nil, fmt.Errorf("registering %s over ssh: %w", nv.Path, shellErr(err))
	}
	found, err := sshhost.APIInventory{C: r.d.Client}.VMByPath(ctx, nv.Path)
	if err != nil {
		return nil, fmt.Errorf("VM %q was registered, but finding it over the API failed: %w", r.name, err)
	}
	return r.h.VMByID(found.ID, r.name), nil
}

// identityShell fills res for a VM restored over SSH, whose identity (new
// BIOS UUID, static MAC addresses, guestinfo) its .vmx carries.
func (r *restoreRun) identityShell(ctx context.Context, v esxihost.VM, res *RestoreResult) error {
	st, err := r.h.State(ctx, v)
	if err != nil {
		return err
	}
	macs, err := r.h.MACs(ctx, v)
	if err != nil {
		return err
	}
	if !r.d.dry() && !equalFold(macs, r.macs) {
		note(ctx, r.d, "the host gave %s the MAC addresses %v, not the .vmx's static %v: the guest's network configuration names the .vmx's", r.name, macs, r.macs)
	}
	res.UUID, res.MACs, res.InstanceID = st.UUID, macs, r.instanceID
	return nil
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.EqualFold([]byte(a[i]), []byte(b[i])) {
			return false
		}
	}
	return true
}
