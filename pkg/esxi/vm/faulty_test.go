package vm

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// lostAnswer is a Host that makes the change and then loses the host's
// answer, as when the connection breaks after the request was sent.
type lostAnswer struct {
	Host
	method string
}

func (h lostAnswer) CreateVM(ctx context.Context, vm *NewVM) (VMRef, error) {
	ref, err := h.Host.CreateVM(ctx, vm)
	if err == nil && h.method == "CreateVM" {
		return VMRef{}, io.ErrUnexpectedEOF
	}
	return ref, err
}

func (h lostAnswer) CreateSnapshot(ctx context.Context, vm VMRef, name string) (string, error) {
	id, err := h.Host.CreateSnapshot(ctx, vm, name)
	if err == nil && h.method == "CreateSnapshot" {
		return "", io.ErrUnexpectedEOF
	}
	return id, err
}

// lostCreate is a Host whose CreateVM request is lost on the way: it
// fails as a broken connection does, and the host has not created the VM
// (yet). late then makes the create the host carries out afterwards.
type lostCreate struct {
	Host
	vm *NewVM
}

func (h *lostCreate) CreateVM(_ context.Context, vm *NewVM) (VMRef, error) {
	h.vm = vm
	return VMRef{}, io.ErrUnexpectedEOF
}

func (h *lostCreate) late(ctx context.Context) (VMRef, error) { return h.Host.CreateVM(ctx, h.vm) }

// flaky is a Host whose folder removal fails with a broken connection a
// number of times before it works.
type flaky struct {
	Host
	failures atomic.Int32
}

func (h *flaky) DeleteDir(ctx context.Context, dir string) error {
	if h.failures.Add(-1) >= 0 {
		return &netError{}
	}
	return h.Host.DeleteDir(ctx, dir)
}

type netError struct{}

func (*netError) Error() string   { return "connection reset by peer" }
func (*netError) Timeout() bool   { return false }
func (*netError) Temporary() bool { return true }

func TestRollbackFindsAVMWhoseCreateWasNotAnswered(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	_, err := Create(testCtx(t), c, CreateSpec{Name: "web01", Template: esxisim.TemplateName, Host: lostAnswer{NewAPIHost(c), "CreateVM"}})
	var se *StepError
	if !errors.As(err, &se) || errkind.Of(err) != errkind.Connection || errors.Is(err, ErrLeftovers) {
		t.Fatalf("error %v (kind %v)", err, errkind.Of(err))
	}
	if len(se.Undone) != 3 || se.Undone[0] != "VM web01" {
		t.Fatalf("undone %q", se.Undone)
	}
	assertOnlyTemplate(t, sim)
}

func TestSnapshotRemovedWhenItsAnswerIsLost(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	createWeb(t, c, true)
	_, err := Clone(testCtx(t), c, CloneSpec{Name: "web02", Source: "web01", Snapshot: true, Host: lostAnswer{NewAPIHost(c), "CreateSnapshot"}})
	if errkind.Of(err) != errkind.Connection || errors.Is(err, ErrLeftovers) {
		t.Fatalf("error %v", err)
	}
	assertSourceRestored(t, c, "web01")
	assertOnlyTemplate(t, sim, "web01")
}

func TestRollbackRetriesThroughAnOutage(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	defer sim.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1)()
	h := &flaky{Host: NewAPIHost(c)}
	h.failures.Store(2)
	_, err := Create(testCtx(t), c, CreateSpec{Name: "web01", Template: esxisim.TemplateName, Host: h})
	var se *StepError
	if !errors.As(err, &se) || len(se.Left) != 0 || len(se.Undone) != 1 || h.failures.Load() >= 0 {
		t.Fatalf("error %v (failures left %d)", err, h.failures.Load())
	}
	assertOnlyTemplate(t, sim)
}

// TestCreateMultiDiskTemplate copies a template with two disks on an LSI
// Logic SCSI and a SATA controller.
func TestCreateMultiDiskTemplate(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	h := NewAPIHost(c)
	src := "[datastore1] " + esxisim.TemplateName + "/" + esxisim.TemplateName + ".vmdk"
	if err := h.MakeDir(ctx, "[datastore1] multi"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"multi.vmdk", "data.vmdk"} {
		if err := h.CopyDisk(ctx, src, "[datastore1] multi/"+d, "lsilogic"); err != nil {
			t.Fatal(err)
		}
	}
	tmpl := &NewVM{Name: "multi", Path: "[datastore1] multi/multi.vmx", Datastore: "datastore1",
		Hardware: Hardware{GuestID: "otherLinux64Guest", Firmware: "bios", CPU: 1, MemoryMB: 512,
			Controllers: []Controller{{Kind: "lsilogic", Bus: 0}, {Kind: "sata", Bus: 0}}},
		Disks: []DiskAttachment{
			{Path: "[datastore1] multi/multi.vmdk", Controller: 0, Unit: 0, CapacityBytes: testDiskSize},
			{Path: "[datastore1] multi/data.vmdk", Controller: 1, Unit: 1, CapacityBytes: testDiskSize},
		},
		NICs: []NetworkAdapter{{Kind: "e1000e", Network: "VM Network"}}}
	if _, err := h.CreateVM(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	res, err := Create(ctx, c, CreateSpec{Name: "copy", Template: "multi"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Disks, "|") != "[datastore1] copy/copy.vmdk|[datastore1] copy/copy_1.vmdk" {
		t.Fatalf("disks %v", res.Disks)
	}
	info, err := GetInfo(ctx, c, "copy")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info.Disks[0].Controller, "lsilogic") || !strings.Contains(info.Disks[1].Controller, "ahci") ||
		info.NICs[0].Type != "e1000e" || info.Firmware != "bios" {
		t.Fatalf("copy %+v %+v %s", info.Disks, info.NICs, info.Firmware)
	}
	assertOnlyTemplate(t, sim, "multi", "copy")
}

func TestControllers(t *testing.T) {
	for _, kind := range []string{"pvscsi", "lsilogic", "lsilogic-sas", "buslogic", "nvme", "sata", "ide"} {
		dev, key, err := controllerDevice(Controller{Kind: kind, Bus: 1}, -101)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if kind == "ide" {
			if dev != nil || key != ideKeyBase+1 {
				t.Fatalf("ide: %v %d", dev, key)
			}
			continue
		}
		got, err := controllerOf(object.VirtualDeviceList{dev}, key)
		if err != nil || got.Kind != kind || got.Bus != 1 {
			t.Fatalf("%s: read back %+v %v", kind, got, err)
		}
	}
	for _, c := range []Controller{{Kind: "floppy"}, {Kind: "ide", Bus: 2}} {
		if _, _, err := controllerDevice(c, -100); !errors.Is(err, ErrUnsupportedHardware) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if _, err := nicDevice(NetworkAdapter{Kind: "token-ring"}, -300, types.ManagedObjectReference{}); !errors.Is(err, ErrUnsupportedHardware) {
		t.Errorf("nic: %v", err)
	}
	for in, want := range map[string]string{"ide": "ide", "buslogic": "busLogic", "pvscsi": "lsiLogic", "nvme": "lsiLogic"} {
		if got := adapterType(in); got != want {
			t.Errorf("adapterType(%s) = %s", in, got)
		}
	}
}

func TestAPIPlanSteps(t *testing.T) {
	var steps []ops.Step
	p := NewAPIHost(nil).DryRun(func(s ops.Step) { steps = append(steps, s) }).DryRun(func(s ops.Step) { steps = append(steps, s) })
	ctx := context.Background()
	ref := VMRef{ID: "7", Name: "web01"}
	_ = p.DeleteDisk(ctx, "[ds] web01/web01.vmdk")
	_ = p.DeleteDir(ctx, "[ds] web01")
	_ = p.Destroy(ctx, ref)
	_ = p.Power(ctx, ref, PowerShutdown)
	_ = p.Power(ctx, ref, PowerSuspend)
	_ = p.Power(ctx, ref, PowerReset)
	want := []string{
		"VirtualDiskManager.DeleteVirtualDisk_Task [ds] web01/web01.vmdk", "FileManager.DeleteDatastoreFile_Task [ds] web01",
		"VirtualMachine.Destroy_Task web01", "VirtualMachine.ShutdownGuest web01", "VirtualMachine.SuspendVM_Task web01",
		"VirtualMachine.ResetVM_Task web01",
	}
	if got := actions(steps); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("steps %q", got)
	}
}

func TestWaitForIP(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, true)
	if _, err := WaitForIP(ctx, c, "web01", 200e6); !errors.Is(err, ErrWaitTimeout) || !strings.Contains(err.Error(), "200ms") {
		t.Fatalf("no guest: %v", err)
	}
	if err := sim.SetGuest("web01", esxisim.Guest{IP: "192.0.2.10", ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	if ip, err := WaitForIP(ctx, c, "web01", 10e9); err != nil || ip != "192.0.2.10" {
		t.Fatalf("ip %q %v", ip, err)
	}
	if _, err := WaitForIP(ctx, c, "nope", 1e9); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown VM: %v", err)
	}
}
