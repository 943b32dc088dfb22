package esxisim

import (
	"context"
	"errors"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/mo"
)

// TestHostHasTheSizeOfOptions: the host reports the CPU threads and memory
// of Options (a small server by default, not vcsim's 2 threads and 4 GiB),
// in its summary and its hardware info, and two simulators do not share
// them.
func TestHostHasTheSizeOfOptions(t *testing.T) {
	read := func(s *Simulator) mo.HostSystem {
		t.Helper()
		c := connect(t, s)
		var h mo.HostSystem
		err := object.NewHostSystem(c.Client, esx.HostSystem.Reference()).Properties(context.Background(), esx.HostSystem.Reference(), []string{"summary.hardware", "hardware"}, &h)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	def := read(startSim(t, Options{}))
	small := read(startSim(t, Options{HostCPUThreads: 4, HostMemoryMB: 8192}))
	for _, tt := range []struct {
		name           string
		h              mo.HostSystem
		threads, cores int16
		memory         int64
	}{
		{"default", def, DefaultHostCPUThreads, DefaultHostCPUThreads / 2, DefaultHostMemoryMB << 20},
		{"options", small, 4, 2, 8192 << 20},
	} {
		s, hw := tt.h.Summary.Hardware, tt.h.Hardware
		if s.NumCpuThreads != tt.threads || s.NumCpuCores != tt.cores || s.MemorySize != tt.memory {
			t.Errorf("%s: summary.hardware %d threads %d cores %d bytes", tt.name, s.NumCpuThreads, s.NumCpuCores, s.MemorySize)
		}
		if hw.CpuInfo.NumCpuThreads != tt.threads || hw.MemorySize != tt.memory {
			t.Errorf("%s: hardware %d threads %d bytes", tt.name, hw.CpuInfo.NumCpuThreads, hw.MemorySize)
		}
	}
	if _, err := Start(context.Background(), Options{HostCPUThreads: -1}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("negative CPU threads: %v", err)
	}
}
