package vm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/vmware/govmomi/vim25/types"
)

// createWeb makes web01 from the template with a static address.
func createWeb(t *testing.T, c *client.Client, powerOn bool) *Result {
	t.Helper()
	res, err := Create(testCtx(t), c, CreateSpec{
		Name: "web01", Template: esxisim.TemplateName, PowerOn: powerOn,
		GuestInfo: staticGuestInfo(t, "web01", "iid-web01", "192.0.2.10/24"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCloneWithNewAddress(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	orig := createWeb(t, c, false)
	res, err := Clone(ctx, c, CloneSpec{
		Name: "web02", Source: "web01",
		Identity: &cloudinit.Spec{Hostname: "web02", NICs: []cloudinit.NIC{{Addresses: []string{"192.0.2.11/24"}, Gateway4: "192.0.2.1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertSameDisk(t, sim, "web01", "web02")
	if res.UUID == orig.UUID || len(res.MACs) != 1 || res.MACs[0] == orig.MACs[0] {
		t.Fatalf("clone kept identity: source %+v clone %+v", orig, res)
	}
	srcInfo, err := GetInfo(ctx, c, "web01")
	if err != nil {
		t.Fatal(err)
	}
	info, err := GetInfo(ctx, c, "web02")
	if err != nil {
		t.Fatal(err)
	}
	host, id, addr := decodedIdentity(t, info.ExtraConfig)
	if host != "web02" || id == "" || id == "iid-web01" || addr != "192.0.2.11/24" {
		t.Errorf("clone guestinfo decodes to %q %q %q", host, id, addr)
	}
	// The source's users and keys stay.
	src, clone := cloudinit.Decode(srcInfo.ExtraConfig), cloudinit.Decode(info.ExtraConfig)
	if clone.UserData == "" || clone.UserData != src.UserData {
		t.Errorf("user-data not carried over:\n%s\nsource:\n%s", clone.UserData, src.UserData)
	}
	if keys, _ := clone.Metadata["public-keys-data"].(string); !strings.Contains(keys, "ops@example") {
		t.Errorf("the source's SSH keys are not in the clone's metadata: %v", clone.Metadata)
	}
	assertOnlyTemplate(t, sim, "web01", "web02")
}

func TestCloneDefaultIdentityAndGuestInfo(t *testing.T) {
	_, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, false)
	if _, err := Clone(ctx, c, CloneSpec{Name: "web03", Source: "web01"}); err != nil {
		t.Fatal(err)
	}
	info, err := GetInfo(ctx, c, "web03")
	if err != nil {
		t.Fatal(err)
	}
	host, id, addr := decodedIdentity(t, info.ExtraConfig)
	if host != "web03" || id == "iid-web01" || !strings.HasPrefix(id, "ceso-") || addr != "" {
		t.Errorf("default identity decodes to %q %q %q", host, id, addr)
	}
	// A caller's own keys are used as given.
	keys := staticGuestInfo(t, "web04", "iid-web04", "192.0.2.14/24")
	if _, err := Clone(ctx, c, CloneSpec{Name: "web04", Source: "web01", GuestInfo: keys}); err != nil {
		t.Fatal(err)
	}
	info, err = GetInfo(ctx, c, "web04")
	if err != nil {
		t.Fatal(err)
	}
	if host, id, addr := decodedIdentity(t, info.ExtraConfig); host != "web04" || id != "iid-web04" || addr != "192.0.2.14/24" {
		t.Errorf("given guestinfo decodes to %q %q %q", host, id, addr)
	}
	// A VM name that is no host name needs an identity.
	_, err = Clone(ctx, c, CloneSpec{Name: "Web_05", Source: "web01"})
	if err == nil || errkind.Of(err) != errkind.Usage {
		t.Fatalf("clone named Web_05 without identity: %v", err)
	}
}

func TestClonePoweredOnSource(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	createWeb(t, c, true)
	if err := sim.SetGuest("web01", esxisim.Guest{IP: "192.0.2.10", ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	_, err := Clone(ctx, c, CloneSpec{Name: "cold", Source: "web01"})
	if !errors.Is(err, ErrSourcePoweredOn) || !strings.Contains(err.Error(), "--power-off-source") || !strings.Contains(err.Error(), "--snapshot") {
		t.Fatalf("error %v", err)
	}
	tests := []struct {
		name string
		spec CloneSpec
	}{
		{"power off source", CloneSpec{Name: "byoff", Source: "web01", PowerOffSource: true, ShutdownTimeout: 10 * time.Second}},
		{"snapshot", CloneSpec{Name: "bysnap", Source: "web01", Snapshot: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Clone(ctx, c, tt.spec); err != nil {
				t.Fatal(err)
			}
			assertSameDisk(t, sim, "web01", tt.spec.Name)
			assertSourceRestored(t, c, "web01")
		})
	}
	assertOnlyTemplate(t, sim, "web01", "byoff", "bysnap")
}

// assertSourceRestored checks that the source runs and has no snapshot.
func assertSourceRestored(t *testing.T, c *client.Client, name string) {
	t.Helper()
	ctx := testCtx(t)
	ref, err := Find(ctx, c, name)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := fetch(ctx, c, ref, []string{"runtime.powerState", "snapshot"})
	if err != nil {
		t.Fatal(err)
	}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		t.Errorf("source is %s after the clone", vm.Runtime.PowerState)
	}
	if vm.Snapshot != nil && len(vm.Snapshot.RootSnapshotList) > 0 {
		t.Errorf("source keeps snapshot %q", vm.Snapshot.RootSnapshotList[0].Name)
	}
}

func TestCloneRestoresSourceOnFailure(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	createWeb(t, c, true)
	if err := sim.SetGuest("web01", esxisim.Guest{IP: "192.0.2.10", ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []CloneSpec{
		{Name: "fail1", Source: "web01", PowerOffSource: true, ShutdownTimeout: 10 * time.Second},
		{Name: "fail2", Source: "web01", Snapshot: true},
	} {
		t.Run(spec.Name, func(t *testing.T) {
			remove := sim.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1)
			defer remove()
			_, err := Clone(testCtx(t), c, spec)
			if !errors.Is(err, client.ErrNoDiskSpace) || errors.Is(err, ErrLeftovers) {
				t.Fatalf("error %v", err)
			}
			assertSourceRestored(t, c, "web01")
		})
	}
	assertOnlyTemplate(t, sim, "web01")
}

func TestPlanClone(t *testing.T) {
	_, c := startHost(t, esxisim.Options{})
	createWeb(t, c, true)
	steps, err := PlanClone(testCtx(t), c, CloneSpec{Name: "web02", Source: "web01", Snapshot: true, PowerOn: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`VirtualMachine.CreateSnapshot_Task web01 "ceso-clone-web02" (disks only, no memory, no quiescing)`,
		"FileManager.MakeDirectory [datastore1] web02",
		"VirtualDiskManager.CopyVirtualDisk_Task [datastore1] web01/web01.vmdk -> [datastore1] web02/web02.vmdk (thin)",
		"FileManager.CopyDatastoreFile_Task [datastore1] web01/web01.nvram -> [datastore1] web02/web02.nvram",
		`VirtualMachineSnapshot.RemoveSnapshot_Task web01 "ceso-clone-web02" (consolidate)`,
		`Folder.CreateVM_Task web02 (2 vCPU, 2048 MiB, efi, vmxnet3 on "VM Network", 1 disk(s))`,
		"VirtualMachine.PowerOnVM_Task web02",
	}
	if got := actions(steps); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Find(ctx, c, "web02"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the plan made web02: %v", err)
	}
}

// TestCloneSourceNeverStopped: when the source cannot be powered off, the
// clone fails and nothing claims the source was left off.
func TestCloneSourceNeverStopped(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	createWeb(t, c, true) // no VMware Tools: the power-off is a hard one
	defer sim.AddFault(esxisim.FaultRule{Method: "PowerOffVM_Task", Fault: &types.RestrictedVersion{}})()
	_, err := Clone(testCtx(t), c, CloneSpec{Name: "web02", Source: "web01", PowerOffSource: true})
	var se *StepError
	if !errors.As(err, &se) || !errors.Is(err, client.ErrRestrictedVersion) || errors.Is(err, ErrLeftovers) || !strings.Contains(se.Step, "powering off source") {
		t.Fatalf("error %v", err)
	}
	assertSourceRestored(t, c, "web01")
	assertOnlyTemplate(t, sim, "web01")
}
