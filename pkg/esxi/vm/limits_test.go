package vm

import (
	"errors"
	"strings"
	"testing"
)

func TestHostLimitsCheck(t *testing.T) {
	lim := HostLimits{Host: "esx1", LogicalCPUs: 8, MemoryMB: 16384, DatastoreBytes: map[string]int64{"ds1": 100 << 30, "big": 2 << 40}}
	tests := []struct {
		name      string
		l         HostLimits
		cpu       int32
		mem, disk int64
		ds, want  string
	}{
		{"all fit", lim, 8, 16384, 100 << 30, "ds1", ""},
		{"zero keeps the source's", lim, 0, 0, 0, "ds1", ""},
		{"one vCPU too many", lim, 9, 0, 0, "", "esx1 has 8 logical CPUs"},
		{"memory", lim, 0, 16385, 0, "", "esx1 has 16384 MiB"},
		{"disk beyond the named datastore", lim, 0, 0, 100<<30 + 1, "ds1", "datastore ds1's whole capacity"},
		{"an unknown datastore is not bounded here", lim, 0, 0, 3 << 40, "other", ""},
		{"nothing reported", HostLimits{}, 768, 1 << 24, 1 << 45, "", ""},
		{"unnamed host", HostLimits{LogicalCPUs: 2}, 3, 0, 0, "", "the host has 2 logical CPUs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Check(tt.cpu, tt.mem, tt.disk, tt.ds)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidSpec and %q", err, tt.want)
			}
		})
	}
}
