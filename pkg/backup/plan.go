package backup

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/backup/retention"
	"github.com/ceso/ceso/pkg/backup/stream"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// via is how a target is written: over the host's API for a datastore,
// locally otherwise.
func via(t target.Target) string {
	if _, ok := t.(*target.Datastore); ok {
		return "api"
	}
	return "local"
}

func step(via, action, detail string, a ...any) ops.Step {
	return ops.Step{Via: via, Action: action, Detail: fmt.Sprintf(detail, a...)}
}

// PlanCreate lists the steps Create would take, reading (never changing)
// the VM's state to say whether it would be shut down or refused.
func PlanCreate(ctx context.Context, d Deps, req CreateRequest) ([]ops.Step, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	if err := d.needs(true); err != nil {
		return nil, err
	}
	t, err := d.Targets.Get(ctx, req.Target)
	if err != nil {
		return nil, err
	}
	info, err := esxihost.New(d.Client).Info(ctx, req.VM)
	if err != nil {
		return nil, err
	}
	tmp := archive.TempDir(req.VM, "ID")
	w := via(t)
	steps := []ops.Step{
		step("local", "lock "+req.VM, "refused while another backup operation on %s runs", req.VM),
		step(w, "remove *"+archive.TempSuffix+" on target "+t.Name(), "left by interrupted backups"),
		step("api", "RetrievePropertiesEx VirtualMachine "+req.VM, "power state %s, %d disk(s), guestinfo", info.PowerState, len(info.Disks)),
	}
	on := info.PowerState == vm.PoweredOn
	switch {
	case on && !req.PowerOff:
		return append(steps, step("local", "refuse", "%s is powered on and --power-off is not set", req.VM)), nil
	case on:
		steps = append(steps,
			step("api", "ShutdownGuest "+req.VM, "waits up to %s", req.shutdownTimeout()),
			step("api", "PowerOffVM_Task "+req.VM, "only if the guest is still running after %s", req.shutdownTimeout()))
	}
	comp := (&backupRun{d: d, req: req}).compression()
	how := "stored as exported"
	if comp.Algorithm == archive.CompressionZstd {
		how = fmt.Sprintf("zstd level %d, %d worker(s)", comp.Level, stream.EncoderWorkers(d.Compression.Workers))
	}
	steps = append(steps, step("api", "ExportVm "+req.VM, "NFC lease, kept alive by HttpNfcLeaseProgress"))
	for i := range info.Disks {
		name := archive.DiskName(req.VM, i)
		steps = append(steps, step(w, "GET disk "+fmt.Sprint(i)+" → "+t.Location(path.Join(tmp, archive.StoredName(name, comp.Algorithm))),
			"SHA-256 and %s, streamed", how))
	}
	steps = append(steps,
		step("api", "HttpNfcLeaseGetManifest", "compare the host's SHA-1 of each disk"),
		step("api", "HttpNfcLeaseComplete", ""),
		step("api", "CreateDescriptor "+req.VM, "OVF descriptor naming the stored disks"),
		step(w, "write "+strings.Join([]string{archive.DescriptorName(req.VM), archive.ConfigName, archive.OVFManifestName(req.VM), archive.ManifestName}, ", "), "in %s", t.Location(tmp)),
		step(w, "rename "+t.Location(tmp)+" → "+t.Location(archive.Dir(req.VM, "ID")), "once every file is stored and its size checked"),
		step("local", "catalog: add backup ID", "only after the rename"))
	if on {
		steps = append(steps, step("api", "PowerOnVM_Task "+req.VM, "whatever the outcome"))
	}
	return steps, nil
}

// PlanVerify lists the steps Verify would take for backup id.
func PlanVerify(ctx context.Context, d Deps, id string) ([]ops.Step, error) {
	if err := d.needs(false); err != nil {
		return nil, err
	}
	e, err := d.Catalog.GetBackup(id)
	if err != nil {
		return nil, err
	}
	t, err := d.Targets.Get(ctx, e.Target)
	if err != nil {
		return nil, err
	}
	return []ops.Step{
		step(via(t), "read "+t.Location(path.Join(dirOf(e), archive.ManifestName)), "its SHA-256 must be %s", e.Checksum),
		step(via(t), "read every file of "+t.Location(dirOf(e)), "decompress, check each size and SHA-256"),
		step("local", "catalog: record the verification of "+id, ""),
	}, nil
}

// PlanRestore lists the steps Restore would take.
func PlanRestore(ctx context.Context, d Deps, req RestoreRequest) ([]ops.Step, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	if err := d.needs(false); err != nil {
		return nil, err
	}
	e, err := d.Catalog.GetBackup(req.ID)
	if err != nil {
		return nil, err
	}
	t, err := d.Targets.Get(ctx, e.Target)
	if err != nil {
		return nil, err
	}
	name := req.AsNew
	var steps []ops.Step
	steps = append(steps, step(via(t), "read and check the metadata of "+t.Location(dirOf(e)), "manifest, descriptor, configuration, stored sizes"))
	if req.Replace {
		name = e.VMName
		shutdown := step("api", "ShutdownGuest "+name, "if it runs; PowerOffVM_Task after the shutdown timeout")
		if !req.Force {
			shutdown = step("api", "RetrievePropertiesEx VirtualMachine "+name, "refuse if it runs (force shuts it down)")
		}
		steps = append(steps, shutdown,
			step("api", "Rename_Task "+name+" → "+asideName(name, d.now()), "put back if the restore fails"))
	}
	steps = append(steps,
		step("api", "CreateImportSpec", "map the backup's networks to port groups of the same name%s", mapped(req.NetworkMap)),
		step("api", "ImportVApp "+name, "NFC lease, kept alive by HttpNfcLeaseProgress"),
		step(via(t), "upload each disk, decompressed", "its SHA-256 checked on the fly; a mismatch aborts and removes the VM"),
		step("api", "HttpNfcLeaseGetManifest", "compare the host's SHA-1 of each disk"),
		step("api", "HttpNfcLeaseComplete", ""),
		step("api", "ReconfigVM_Task "+name, "new UUID and MACs if shared with the original; guestinfo with a new instance-id, host name and network"))
	if req.Replace {
		steps = append(steps, step("api", "Destroy_Task "+asideName(name, d.now()), "only once the restored VM is whole"))
	}
	if req.PowerOn {
		steps = append(steps, step("api", "PowerOnVM_Task "+name, ""))
	}
	return steps, nil
}

func mapped(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return ", except " + strings.Join(parts, ", ")
}

// PlanDelete lists the steps Delete would take for backup id: Delete's own
// code, run as a dry run (see Deps.Plan).
func PlanDelete(ctx context.Context, d Deps, id string, opts DeleteOptions) ([]ops.Step, error) {
	var steps []ops.Step
	d.Plan = func(s ops.Step) { steps = append(steps, s) }
	err := Delete(ctx, d, id, opts)
	return steps, err
}

// PlanPrune lists the decisions of the policy and the steps that delete
// the backups it removes: Prune's own code, run as a dry run.
func PlanPrune(ctx context.Context, d Deps, p retention.Policy, vmName string) ([]ops.Step, error) {
	var steps []ops.Step
	d.Plan = func(s ops.Step) { steps = append(steps, s) }
	_, err := Prune(ctx, d, p, vmName, false)
	return steps, err
}

// PlanHousekeep lists what Housekeep would remove: Housekeep's own code,
// run as a dry run.
func PlanHousekeep(ctx context.Context, d Deps) ([]ops.Step, error) {
	var steps []ops.Step
	d.Plan = func(s ops.Step) { steps = append(steps, s) }
	_, err := Housekeep(ctx, d)
	return steps, err
}
