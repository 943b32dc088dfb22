package vm

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/vim25/types"
)

// CloneSpec asks for a copy of an existing VM under a new name.
type CloneSpec struct {
	// Name of the new VM; see ValidateName.
	Name string
	// Source is the VM to copy.
	Source string
	// CPU, MemoryMB, DiskSizeBytes, Network and Datastore work as in
	// CreateSpec, relative to the source.
	CPU           int32
	MemoryMB      int64
	DiskSizeBytes int64
	Network       string
	Datastore     string
	// Identity gives the clone its cloud-init identity: host name,
	// instance-id (new when empty) and network (NICs, AdapterMACs). Clone
	// computes the guestinfo with cloudinit.Readdress from the source's
	// extraConfig, read in the same retrieval as its hardware, so the
	// clone keeps the source's users and keys. When nil, the identity is
	// the clone's name as host name, a new instance-id and DHCP.
	Identity *cloudinit.Spec
	// GuestInfo, when not nil, is used as the clone's guestinfo keys instead
	// (for a caller that built them itself); it excludes Identity.
	GuestInfo map[string]string
	// PowerOffSource lets a powered-on source be copied cold: it is shut
	// down (guest shutdown up to ShutdownTimeout, then powered off), its
	// disks are copied, and it is powered on again, also when the clone fails.
	PowerOffSource bool
	// Snapshot lets a powered-on source be copied while it runs: a
	// temporary snapshot makes its disks read-only for the copy and is
	// removed afterwards, also when the clone fails. The copy is
	// crash-consistent.
	Snapshot bool
	// ShutdownTimeout bounds the guest shutdown of PowerOffSource;
	// DefaultShutdownTimeout when 0.
	ShutdownTimeout time.Duration
	// PowerOn, WaitIP, Host and RollbackTimeout work as in CreateSpec.
	PowerOn         bool
	WaitIP          time.Duration
	Host            Host
	RollbackTimeout time.Duration
}

func (s CloneSpec) request() *copyRequest {
	return &copyRequest{
		op: "clone", name: s.Name, source: s.Source, cpu: s.CPU, memoryMB: s.MemoryMB,
		diskSize: s.DiskSizeBytes, network: s.Network, datastore: s.Datastore,
		guestInfo: s.GuestInfo, identity: s.Identity, powerOn: s.PowerOn, waitIP: s.WaitIP,
		powerOffSource: s.PowerOffSource, snapshot: s.Snapshot, shutdownTimeout: s.ShutdownTimeout,
		host: s.Host, rollback: s.RollbackTimeout,
	}
}

// Clone copies the VM spec.Source to a new VM spec.Name by disk copy, as
// Create does from a template, with a new instance-id, MAC addresses, UUID
// and address. A powered-on source is refused (ErrSourcePoweredOn) unless
// PowerOffSource or Snapshot says how to copy it. The source is restored
// (powered on again, snapshot removed) as soon as its disks are copied,
// and also when the clone fails.
//
// When the clone was made but the source could not be restored, Clone
// returns both the Result and a *StepError saying what to do.
func Clone(ctx context.Context, c *client.Client, spec CloneSpec) (*Result, error) {
	return runCopy(ctx, c, spec.request())
}

// PlanClone checks spec as Clone does, changing nothing, and returns the
// calls Clone would make in order.
func PlanClone(ctx context.Context, c *client.Client, spec CloneSpec) ([]ops.Step, error) {
	return planCopy(ctx, c, spec.request())
}

// snapshotName names the temporary snapshot of a clone.
func snapshotName(clone string) string { return "ceso-clone-" + clone }

// prepareSource makes a running source copyable: powered off, or with its
// disks frozen by a snapshot. What it changes is restored by j's "always"
// steps.
func (p *copyPlan) prepareSource(ctx context.Context, c *client.Client, j *job) error {
	if p.r.op != "clone" || p.src.power != PoweredOn {
		return nil
	}
	ref := VMRef{ID: p.src.ref.Value, Name: p.src.name}
	if p.r.powerOffSource {
		j.finally(undoStep{
			what:   "source VM " + ref.Name + " powered off",
			remove: "ceso vm power on " + shellQuote(ref.Name),
			fn: func(ctx context.Context) error {
				if !j.dry() {
					if now, err := fetch(ctx, c, p.src.ref, []string{"runtime.powerState"}); err == nil &&
						now.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
						return nil // the power-off never happened
					}
				}
				return ignorePowerState(j.h.Power(ctx, ref, PowerOn))
			},
		})
		t := &powerTarget{ref: ref, power: p.src.power, tools: p.src.toolsRunning()}
		opts := PowerOptions{Timeout: p.r.shutdownTimeout, Force: true}
		return j.do(ctx, "powering off source VM "+ref.Name, func(ctx context.Context) error {
			_, err := shutdown(ctx, c, j.h, t, opts, j.record)
			return err
		}, nil)
	}
	name := snapshotName(p.r.name)
	var id string
	j.finally(undoStep{
		what:   fmt.Sprintf("snapshot %q of source VM %s", name, ref.Name),
		remove: fmt.Sprintf("delete the snapshot %q of %s in the host client, or vim-cmd vmsvc/snapshot.remove %s in the host's shell", name, ref.Name, ref.ID),
		fn: func(ctx context.Context) error {
			sid := id
			if sid == "" && !j.dry() {
				found, err := findSnapshot(ctx, c, p.src.ref, name)
				if err != nil || found == "" {
					return err
				}
				sid = found
			}
			return ignoreNotFound(j.h.RemoveSnapshot(ctx, ref, sid))
		},
	})
	return j.do(ctx, "taking snapshot of source VM "+ref.Name, func(ctx context.Context) error {
		var err error
		id, err = j.h.CreateSnapshot(ctx, ref, name)
		return err
	}, nil)
}

// findSnapshot returns the id of the VM's snapshot called name, "" if none.
func findSnapshot(ctx context.Context, c *client.Client, ref types.ManagedObjectReference, name string) (string, error) {
	vm, err := fetch(ctx, c, ref, []string{"snapshot"})
	if err != nil {
		return "", err
	}
	if vm.Snapshot == nil {
		return "", nil
	}
	return searchSnapshots(vm.Snapshot.RootSnapshotList, name), nil
}

func searchSnapshots(list []types.VirtualMachineSnapshotTree, name string) string {
	for _, s := range list {
		if s.Name == name {
			return s.Snapshot.Value
		}
		if id := searchSnapshots(s.ChildSnapshotList, name); id != "" {
			return id
		}
	}
	return ""
}
