package vm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
)

// copyRequest is a create or a clone: a new VM from the disks and hardware
// of an existing one.
type copyRequest struct {
	op, name, source   string
	cpu                int32
	memoryMB, diskSize int64
	network, datastore string
	guestInfo          map[string]string
	identity           *cloudinit.Spec
	powerOn            bool
	waitIP             time.Duration
	powerOffSource     bool
	snapshot           bool
	shutdownTimeout    time.Duration
	host               Host
	rollback           time.Duration
}

// copyPlan is a checked request: everything the run needs, read from the host.
type copyPlan struct {
	r       *copyRequest
	inv     *inventory
	src     *sourceVM
	dir     string // "[datastore1] web01"
	vm      *NewVM
	copies  []diskCopy
	nvram   *diskCopy // the source's NVRAM file and where it goes
	grow    int64     // new capacity of the first disk; 0 keeps it
	vcenter bool      // copy with CloneVM_Task
}

type diskCopy struct{ src, dst, controller string }

// prepareCopy reads the host and checks the request against it. It
// changes nothing; a bad datastore or network name stops here.
func prepareCopy(ctx context.Context, c *client.Client, r *copyRequest) (*copyPlan, error) {
	inv, err := loadInventory(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(inv.vms[r.name]) > 0 {
		return nil, fmt.Errorf("%w: %q; choose another name or delete that VM first", ErrNameTaken, r.name)
	}
	ref, err := inv.vm(r.source)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.sourceWord(), err)
	}
	src, err := readSource(ctx, c, ref)
	if err != nil {
		return nil, fmt.Errorf("reading %s %q: %w", r.sourceWord(), r.source, err)
	}
	p := &copyPlan{r: r, inv: inv, src: src, vcenter: c.IsVCenter()}
	if err := p.checkSource(); err != nil {
		return nil, err
	}
	nvram, err := sourceNVRAM(ctx, c, inv, src)
	if err != nil {
		return nil, fmt.Errorf("looking for the NVRAM file of %s %q: %w", r.sourceWord(), src.name, err)
	}
	if err := checkNoTasks(ctx, c, src.name, src.recent); err != nil {
		return nil, err
	}
	ds := r.datastore
	if ds == "" {
		ds = src.datastore()
	}
	if _, err := inv.datastore(ds); err != nil {
		return nil, err
	}
	if err := inv.limits.Check(r.cpu, r.memoryMB, r.diskSize, ds); err != nil {
		return nil, err
	}
	p.dir = dsPath(ds, r.name)
	if err := p.build(ds); err != nil {
		return nil, err
	}
	if nvram != "" {
		p.nvram = &diskCopy{src: nvram, dst: dsPath(ds, r.name+"/"+r.name+".nvram")}
		p.vm.NVRAM = r.name + ".nvram"
	}
	if _, exists, err := listFolder(ctx, c, inv, p.dir); err != nil {
		return nil, err
	} else if exists {
		return nil, fmt.Errorf("%w: %s (left by a VM that was removed from the inventory?); remove it with %s, or choose another name",
			ErrFolderExists, p.dir, removeDirHint(p.dir))
	}
	return p, nil
}

func (r *copyRequest) sourceWord() string {
	if r.op == "clone" {
		return "source VM"
	}
	return "template"
}

// checkSource refuses a source that cannot be copied as asked.
func (p *copyPlan) checkSource() error {
	s, r := p.src, p.r
	if len(s.disks) == 0 {
		return fmt.Errorf("%w: %s %q has no virtual disk to copy", ErrNoDisks, r.sourceWord(), s.name)
	}
	if r.op == "create" && s.power != PoweredOff {
		return fmt.Errorf("%w: template %q is %s; power it off first (ceso vm power off %s)", ErrTemplatePoweredOn, s.name, s.power, shellQuote(s.name))
	}
	if r.op == "clone" && s.power == PoweredOn && !r.powerOffSource && !r.snapshot {
		return fmt.Errorf("%w: %q; a cold clone copies the disks of a powered-off VM: use --power-off-source to shut it down for the copy "+
			"and power it on again, or --snapshot to copy from a temporary snapshot while it runs", ErrSourcePoweredOn, s.name)
	}
	return nil
}

// build describes the new VM on datastore ds.
func (p *copyPlan) build(ds string) error {
	r, s := p.r, p.src
	hw := s.hw
	hw.Controllers = append([]Controller(nil), s.hw.Controllers...)
	if r.cpu > 0 {
		hw.CPU = r.cpu
		if hw.CoresPerSocket <= 0 || r.cpu%hw.CoresPerSocket != 0 {
			hw.CoresPerSocket = r.cpu
		}
	}
	if r.memoryMB > 0 {
		hw.MemoryMB = r.memoryMB
	}
	vm := &NewVM{Name: r.name, Path: dsPath(ds, r.name+"/"+r.name+".vmx"), Datastore: ds, Hardware: hw}
	for i, d := range s.disks {
		file := r.name + ".vmdk"
		if i > 0 {
			file = fmt.Sprintf("%s_%d.vmdk", r.name, i)
		}
		dst := dsPath(ds, r.name+"/"+file)
		p.copies = append(p.copies, diskCopy{src: d.path, dst: dst, controller: hw.Controllers[d.controller].Kind})
		vm.Disks = append(vm.Disks, DiskAttachment{Path: dst, Controller: d.controller, Unit: d.unit, CapacityBytes: d.capacity, Mode: d.mode})
	}
	if r.diskSize > 0 {
		first := s.disks[0].capacity
		want := (r.diskSize + 1023) &^ 1023
		if want < first {
			return fmt.Errorf("%w: the first disk of %q has %s; %s would shrink it", ErrShrink, s.name, FormatBytes(first), FormatBytes(r.diskSize))
		}
		if want > first {
			p.grow = want
		}
	}
	if err := p.buildNICs(vm); err != nil {
		return err
	}
	extra, err := p.extraConfig()
	if err != nil {
		return err
	}
	vm.ExtraConfig = extra
	p.vm = vm
	return nil
}

// buildNICs takes the source's adapters, the first moved to the requested
// port group, and checks that every port group exists.
func (p *copyPlan) buildNICs(vm *NewVM) error {
	vm.NICs = append([]NetworkAdapter(nil), p.src.nics...)
	if p.r.network != "" {
		if len(vm.NICs) == 0 {
			vm.NICs = append(vm.NICs, NetworkAdapter{Kind: "vmxnet3"})
		}
		vm.NICs[0].Network = p.r.network
	}
	for i, n := range vm.NICs {
		if n.Network == "" && p.vcenter {
			continue // a distributed port group, which the clone keeps
		}
		if n.Network == "" {
			return fmt.Errorf("%w: network adapter %d of %q is not on a standard port group; give a network",
				ErrUnsupportedHardware, i+1, p.src.name)
		}
		if _, err := p.inv.network(n.Network); err != nil {
			return err
		}
	}
	return nil
}

// extraConfig is the new VM's advanced settings: the template's behaviour
// settings and the guestinfo keys. A create takes GuestInfo as given; a
// clone without GuestInfo gets the source's cloud-init data readdressed
// (cloudinit.Readdress: new instance-id and host name, the identity's
// network) and keeps the source's other guestinfo keys.
func (p *copyPlan) extraConfig() (map[string]string, error) {
	out := p.src.settingsToCopy()
	keys := p.r.guestInfo
	if p.r.op == "clone" && keys == nil {
		for k, v := range p.src.guestInfo() {
			if !isManagedKey(k) {
				out[k] = v
			}
		}
		id := cloudinit.Spec{Hostname: p.r.name}
		if p.r.identity != nil {
			id = *p.r.identity
		}
		var err error
		if keys, err = cloudinit.Readdress(p.src.guestInfo(), id); err != nil {
			if errors.Is(err, cloudinit.ErrInvalidSpec) {
				err = errkind.Wrap(errkind.Usage, err)
			}
			return nil, fmt.Errorf("giving the clone a new identity from the guestinfo of %q (set its host name if the VM name is none): %w", p.src.name, err)
		}
	}
	for k, v := range keys {
		if !strings.HasPrefix(k, "guestinfo.") {
			return nil, fmt.Errorf("%w: key %q is not a guestinfo key", ErrInvalidSpec, k)
		}
		if v != "" {
			out[k] = v
		}
	}
	return out, nil
}

func isManagedKey(k string) bool {
	for _, m := range cloudinit.ManagedKeys {
		if k == m {
			return true
		}
	}
	return false
}
