package esxisim

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/vmware/govmomi/vim25/types"
)

// Seeded VMs (see SeedVMs).
const (
	// SeedDiskSize is the capacity of a seeded VM's disk; its flat file is
	// sparse and reads as zeros.
	SeedDiskSize       int64 = 16 << 20
	seedPrefix               = "vm-"
	defaultSeedWorkers       = 8
)

// SeedVMs creates n VMs named "vm-0001", "vm-0002", ... (numbering continues
// after the highest seeded name already present) and returns their names in
// order. They are made through the API with CreateVM_Task, like a client
// would, by workers goroutines (8 when workers <= 0), so that a large
// inventory builds fast. Each has 1 vCPU, 512 MiB, a pvscsi controller, one
// thin disk of SeedDiskSize, a vmxnet3 NIC on "VM Network" and the extraConfig
// keys guestinfo.ceso.seed.index, guestinfo.ceso.seed.name and
// guestinfo.ceso.seed.role. Power states are mixed: every third VM (vm-0003,
// vm-0006, ...) is powered on, every seventh one that is not is suspended,
// the rest are off. The free licence does not apply to seeding.
func (s *Simulator) SeedVMs(ctx context.Context, n, workers int) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if n <= 0 {
		return nil, nil
	}
	if workers <= 0 {
		workers = defaultSeedWorkers
	}
	first := s.reserveSeedNames(n)
	names := make([]string, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		idx := first + i
		names[i] = fmt.Sprintf("%s%04d", seedPrefix, idx)
		g.Go(func() error { return s.seedVM(gctx, names[i], idx) })
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("seeding %d VMs: %w", n, err)
	}
	return names, nil
}

// reserveSeedNames returns the first of n free seed numbers.
func (s *Simulator) reserveSeedNames(n int) int {
	s.seedMu.Lock()
	defer s.seedMu.Unlock()
	next := 1
	for _, e := range s.reg.All("VirtualMachine") {
		name := e.Entity().Name
		if num, err := strconv.Atoi(strings.TrimPrefix(name, seedPrefix)); err == nil && strings.HasPrefix(name, seedPrefix) {
			next = max(next, num+1)
		}
	}
	next = max(next, s.seedNext)
	s.seedNext = next + n
	return next
}

func (s *Simulator) seedVM(ctx context.Context, name string, idx int) error {
	role := []string{"web", "db", "cache", "worker"}[idx%4]
	guest := types.VirtualMachineGuestOsIdentifierUbuntu64Guest
	if idx%2 == 0 {
		guest = types.VirtualMachineGuestOsIdentifierOtherLinux64Guest
	}
	spec, err := s.configSpec(vmShape{
		name:      name,
		guestID:   string(guest),
		firmware:  string(types.GuestOsDescriptorFirmwareTypeEfi),
		cpus:      1,
		memoryMB:  512,
		diskBytes: SeedDiskSize,
		extra: []types.BaseOptionValue{
			&types.OptionValue{Key: "guestinfo.ceso.seed.index", Value: strconv.Itoa(idx)},
			&types.OptionValue{Key: "guestinfo.ceso.seed.name", Value: name},
			&types.OptionValue{Key: "guestinfo.ceso.seed.role", Value: role},
		},
	})
	if err != nil {
		return err
	}
	vm, err := s.createVM(ctx, spec)
	if err != nil {
		return err
	}
	if err := os.Truncate(s.flatFile(name), SeedDiskSize); err != nil {
		return fmt.Errorf("sizing disk of %s: %w", name, err)
	}
	if idx%3 != 0 && idx%7 != 0 {
		return nil
	}
	if err := waitTask(ctx, vm.PowerOn); err != nil {
		return fmt.Errorf("powering on %s: %w", name, err)
	}
	if idx%3 == 0 {
		return nil
	}
	if err := waitTask(ctx, vm.Suspend); err != nil {
		return fmt.Errorf("suspending %s: %w", name, err)
	}
	return nil
}
