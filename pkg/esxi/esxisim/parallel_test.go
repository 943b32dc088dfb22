package esxisim

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"
)

// TestParallelSimulatorsAreIndependent runs several simulators at once; each
// one's faults, delays and licence must not leak into the others.
func TestParallelSimulatorsAreIndependent(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			s := startSim(t, Options{FreeLicence: i == 0})
			c := connect(t, s)
			ctx := context.Background()
			if i == 1 {
				s.SetMethodDelay("PowerOnVM_Task", 50*time.Millisecond)
			}
			if i == 2 {
				defer s.AddFault(FaultRule{Method: "PowerOnVM_Task", Fault: new(types.InsufficientResourcesFault)})()
			}
			vm, err := createVM(t, s, c, spec(t, s, "p"))
			if i == 0 {
				if !fault.Is(err, &types.RestrictedVersion{}) {
					t.Fatalf("free licence: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			begin := time.Now()
			err = powerOn(ctx, vm)
			switch i {
			case 1:
				if err != nil || time.Since(begin) < 50*time.Millisecond {
					t.Errorf("delayed power-on: %v after %v", err, time.Since(begin))
				}
			case 2:
				if !fault.Is(err, &types.InsufficientResourcesFault{}) {
					t.Errorf("faulted power-on: %v", err)
				}
			default:
				if err != nil {
					t.Errorf("power-on: %v", err)
				}
			}
			if i != 2 {
				if err := s.SetGuest("p", Guest{IP: fmt.Sprintf("10.0.0.%d", i), ToolsRunning: true}); err != nil {
					t.Fatal(err)
				}
				if ip, err := vm.WaitForIP(ctx); err != nil || ip != fmt.Sprintf("10.0.0.%d", i) {
					t.Errorf("IP = %q, %v", ip, err)
				}
			}
			if _, err := s.SeedVMs(ctx, 3, 2); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCloseIsIdempotentAndRemovesFiles(t *testing.T) {
	s, err := Start(context.Background(), Options{TemplateDiskSize: testDiskSize})
	if err != nil {
		t.Fatal(err)
	}
	dir, ca := s.DatastoreDir(), s.CAFile()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, p := range []string{dir, ca} {
		if _, err := statErr(p); err == nil {
			t.Errorf("%s still exists", p)
		}
	}
	if err := s.SetGuest(TemplateName, Guest{}); err != ErrClosed {
		t.Errorf("SetGuest after Close: %v", err)
	}
	if _, err := s.SeedVMs(context.Background(), 1, 1); err != ErrClosed {
		t.Errorf("SeedVMs after Close: %v", err)
	}
}
