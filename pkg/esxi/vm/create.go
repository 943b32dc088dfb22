package vm

import (
	"context"
	"fmt"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/ops"
)

// CreateSpec asks for a new VM made from a template.
type CreateSpec struct {
	// Name of the new VM; see ValidateName. It also names its folder.
	Name string
	// Template is the name of a powered-off VM with at least one disk.
	Template string
	// CPU and MemoryMB override the template's; 0 keeps them.
	CPU      int32
	MemoryMB int64
	// DiskSizeBytes grows the first disk; 0 keeps the template's size. A
	// size below the template's is refused (ErrShrink).
	DiskSizeBytes int64
	// Network is the port group of the first network adapter; "" keeps the
	// template's. A template without adapters then gets one vmxnet3.
	Network string
	// Datastore holds the new VM; "" uses the template's.
	Datastore string
	// GuestInfo are guestinfo.* keys for cloud-init (cloudinit.Build).
	// Keys with an empty value are left out.
	GuestInfo map[string]string
	// PowerOn powers the VM on once it exists.
	PowerOn bool
	// WaitIP, when above 0, waits that long after power-on for the guest
	// to report an address; the address is in Result.IP. It needs PowerOn.
	WaitIP time.Duration
	// Host makes the changes; nil means over the API of the client.
	Host Host
	// RollbackTimeout bounds the undo after a failure;
	// DefaultRollbackTimeout when 0.
	RollbackTimeout time.Duration
}

// Result describes a VM made by Create or Clone. Its JSON field names are
// an API: fields are never removed.
type Result struct {
	Name       string   `json:"name"`
	ID         string   `json:"id"`
	Path       string   `json:"path"` // "[datastore1] web01/web01.vmx"
	UUID       string   `json:"uuid"`
	MACs       []string `json:"macs"`
	Disks      []string `json:"disks"`
	PowerState string   `json:"power_state"`
	IP         string   `json:"ip"`
}

func (s CreateSpec) request() *copyRequest {
	return &copyRequest{
		op: "create", name: s.Name, source: s.Template, cpu: s.CPU, memoryMB: s.MemoryMB,
		diskSize: s.DiskSizeBytes, network: s.Network, datastore: s.Datastore,
		guestInfo: s.GuestInfo, powerOn: s.PowerOn, waitIP: s.WaitIP, host: s.Host, rollback: s.RollbackTimeout,
	}
}

// Create makes a VM from a template the way a standalone host allows, which
// refuses CloneVM_Task: it checks the template (exists, powered off, has
// disks), the name (valid, free, no folder of that name), the datastore and
// the network; makes the folder "[datastore] NAME"; copies each disk thin
// (CopyVirtualDisk_Task); registers a VM with the template's hardware, new
// MAC addresses and UUID and the guestinfo keys (CreateVM_Task); grows the
// first disk if asked; powers on and waits for an address if asked.
//
// When a step fails, what was done is undone in reverse (VM destroyed,
// disks and folder deleted) and a *StepError says which step failed and
// what was removed, or what is left and how to remove it.
//
// Connected to a vCenter, Create uses CloneVM_Task instead.
func Create(ctx context.Context, c *client.Client, spec CreateSpec) (*Result, error) {
	return runCopy(ctx, c, spec.request())
}

// PlanCreate checks spec against the host as Create does, changing
// nothing, and returns the calls Create would make in order.
func PlanCreate(ctx context.Context, c *client.Client, spec CreateSpec) ([]ops.Step, error) {
	return planCopy(ctx, c, spec.request())
}

// runCopy is Create and Clone.
func runCopy(ctx context.Context, c *client.Client, r *copyRequest) (*Result, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	unlock, err := r.lock(ctx, c)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := prepareCopy(ctx, c, r)
	if err != nil {
		return nil, err
	}
	j := newJob(r.op+" "+r.name, hostFor(r.host, c, p.inv), nil, r.rollback)
	return p.run(ctx, c, j)
}

// planCopy is PlanCreate and PlanClone.
func planCopy(ctx context.Context, c *client.Client, r *copyRequest) ([]ops.Step, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	p, err := prepareCopy(ctx, c, r)
	if err != nil {
		return nil, err
	}
	var steps []ops.Step
	j := newJob(r.op+" "+r.name, hostFor(r.host, c, p.inv), func(s ops.Step) { steps = append(steps, s) }, r.rollback)
	if _, err := p.run(ctx, c, j); err != nil {
		return nil, err
	}
	return steps, nil
}

// lock reserves the new name and the source: exclusively when the clone
// changes the source (power or snapshot), shared otherwise.
func (r *copyRequest) lock(ctx context.Context, c *client.Client) (func(), error) {
	if r.powerOffSource || r.snapshot {
		return lockVMs(ctx, c.Host(), nil, r.name, r.source)
	}
	return lockVMs(ctx, c.Host(), []string{r.source}, r.name)
}

// validate checks what needs no host.
func (r *copyRequest) validate() error {
	if err := ValidateName(r.name); err != nil {
		return err
	}
	what := "template"
	if r.op == "clone" {
		what = "source VM"
	}
	switch {
	case r.source == "":
		return fmt.Errorf("%w: no %s given", ErrInvalidSpec, what)
	case r.source == r.name:
		return fmt.Errorf("%w: the new VM cannot have the name of its %s", ErrInvalidSpec, what)
	case r.cpu < 0 || r.memoryMB < 0 || r.diskSize < 0 || r.waitIP < 0:
		return fmt.Errorf("%w: negative CPU, memory, disk size or wait", ErrInvalidSpec)
	case r.memoryMB > 0 && r.memoryMB%4 != 0:
		return fmt.Errorf("%w: memory %d MiB is not a multiple of 4 MiB", ErrInvalidSpec, r.memoryMB)
	case r.waitIP > 0 && !r.powerOn:
		return fmt.Errorf("%w: waiting for an IP address needs power-on", ErrInvalidSpec)
	case r.powerOffSource && r.snapshot:
		return fmt.Errorf("%w: choose either powering the source off or a snapshot, not both", ErrInvalidSpec)
	case r.guestInfo != nil && r.identity != nil:
		return fmt.Errorf("%w: give either guestinfo keys or a new identity, not both", ErrInvalidSpec)
	}
	return nil
}
