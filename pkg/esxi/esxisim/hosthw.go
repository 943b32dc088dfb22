package esxisim

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
)

// The host's size unless Options say otherwise: a small server of the kind
// a standalone ESXi runs on (vcsim's own host has 2 threads and 4 GiB,
// smaller than any VM template worth copying).
const (
	DefaultHostCPUThreads = 16
	DefaultHostMemoryMB   = 64 << 10
)

// sizeHost gives the host the CPU threads and memory of Options: in its
// summary (summary.hardware, what clients read) and its hardware info.
// vcsim gives each host its own copies of both, so no other simulator
// sees the change.
func (s *Simulator) sizeHost(ctx context.Context) error {
	h, ok := s.reg.Get(esx.HostSystem.Reference()).(*simulator.HostSystem)
	if !ok {
		return fmt.Errorf("%w: no host system in the model", ErrInternal)
	}
	threads, cores := int16(s.opts.HostCPUThreads), int16(max(1, s.opts.HostCPUThreads/2))
	memory := s.opts.HostMemoryMB << 20
	s.internalContext(ctx).WithLock(h, func() {
		if hw := h.Summary.Hardware; hw != nil {
			c := *hw
			c.NumCpuThreads, c.NumCpuCores, c.MemorySize = threads, cores, memory
			h.Summary.Hardware = &c
		}
		if hw := h.Hardware; hw != nil {
			c := *hw
			c.CpuInfo.NumCpuThreads, c.CpuInfo.NumCpuCores, c.MemorySize = threads, cores, memory
			h.Hardware = &c
		}
	})
	return nil
}
