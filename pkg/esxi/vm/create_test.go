package vm

import (
	"errors"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
)

func TestCreateFromTemplate(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	keys := staticGuestInfo(t, "web01", "iid-web01", "192.0.2.10/24")
	res, err := Create(ctx, c, CreateSpec{Name: "web01", Template: esxisim.TemplateName, GuestInfo: keys})
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "web01" || res.Path != "[datastore1] web01/web01.vmx" || res.PowerState != PoweredOff {
		t.Fatalf("result %+v", res)
	}
	if len(res.Disks) != 1 || res.Disks[0] != "[datastore1] web01/web01.vmdk" {
		t.Fatalf("disks %v", res.Disks)
	}
	assertSameDisk(t, sim, esxisim.TemplateName, "web01")

	tmpl, err := GetInfo(ctx, c, esxisim.TemplateName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := GetInfo(ctx, c, "web01")
	if err != nil {
		t.Fatal(err)
	}
	if info.UUID == tmpl.UUID || info.InstanceUUID == tmpl.InstanceUUID {
		t.Errorf("the copy kept the template's UUID %s", info.UUID)
	}
	if len(info.NICs) != 1 || info.NICs[0].MAC == "" || strings.EqualFold(info.NICs[0].MAC, tmpl.NICs[0].MAC) {
		t.Errorf("MACs: template %+v, copy %+v", tmpl.NICs, info.NICs)
	}
	if info.NICs[0].Type != "vmxnet3" || info.NICs[0].Network != "VM Network" {
		t.Errorf("nic %+v", info.NICs[0])
	}
	if info.Firmware != "efi" || info.GuestOS != tmpl.GuestOS || info.CPU != 2 || info.MemoryMB != 2048 {
		t.Errorf("hardware %+v", info.Summary)
	}
	if len(info.Disks) != 1 || !strings.Contains(info.Disks[0].Controller, "pvscsi") || info.Disks[0].CapacityBytes != tmpl.Disks[0].CapacityBytes {
		t.Errorf("disks %+v", info.Disks)
	}
	host, id, addr := decodedIdentity(t, info.ExtraConfig)
	if host != "web01" || id != "iid-web01" || addr != "192.0.2.10/24" {
		t.Errorf("guestinfo decodes to %q %q %q", host, id, addr)
	}
	if _, ok := info.ExtraConfig["guestinfo.ceso.golden"]; ok {
		t.Error("the template's own guestinfo key was copied")
	}
	assertOnlyTemplate(t, sim, "web01")
}

func TestCreateOverridesAndPowerOn(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{AutoGuest: true})
	ctx := testCtx(t)
	grown := testDiskSize * 2
	res, err := Create(ctx, c, CreateSpec{
		Name: "app01", Template: esxisim.TemplateName, CPU: 4, MemoryMB: 4096, DiskSizeBytes: grown,
		Network: "VM Network", Datastore: "datastore1", PowerOn: true, WaitIP: 30e9,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.PowerState != PoweredOn || res.IP != esxisim.AutoGuestIP("app01") {
		t.Fatalf("result %+v", res)
	}
	info, err := GetInfo(ctx, c, "app01")
	if err != nil {
		t.Fatal(err)
	}
	if info.CPU != 4 || info.MemoryMB != 4096 || info.Disks[0].CapacityBytes != grown {
		t.Fatalf("overrides not applied: %+v %+v", info.Summary, info.Disks)
	}
	_ = sim
}

func TestCreateRefusals(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{ExtraVMs: 3})
	ctx := testCtx(t)
	// vm-0003 is powered on; "taken" exists; "nodisk" has no disk.
	if _, err := Create(ctx, c, CreateSpec{Name: "taken", Template: esxisim.TemplateName}); err != nil {
		t.Fatal(err)
	}
	nodisk := &NewVM{Name: "nodisk", Path: "[datastore1] nodisk/nodisk.vmx", Datastore: "datastore1",
		Hardware: Hardware{GuestID: "otherLinux64Guest", CPU: 1, MemoryMB: 256}}
	if _, err := NewAPIHost(c).CreateVM(ctx, nodisk); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec CreateSpec
		want error
		kind errkind.Kind
	}{
		{"missing template", CreateSpec{Name: "a", Template: "nope"}, ErrNotFound, errkind.NotFound},
		{"powered-on template", CreateSpec{Name: "a", Template: "vm-0003"}, ErrTemplatePoweredOn, errkind.Refused},
		{"template without disks", CreateSpec{Name: "a", Template: "nodisk"}, ErrNoDisks, errkind.Refused},
		{"name taken", CreateSpec{Name: "taken", Template: esxisim.TemplateName}, ErrNameTaken, errkind.Refused},
		{"name of the template", CreateSpec{Name: esxisim.TemplateName, Template: esxisim.TemplateName}, ErrInvalidSpec, errkind.Usage},
		{"bad name", CreateSpec{Name: "a/b", Template: esxisim.TemplateName}, ErrInvalidName, errkind.Usage},
		{"bad datastore", CreateSpec{Name: "a", Template: esxisim.TemplateName, Datastore: "nope]"}, ErrDatastoreNotFound, errkind.NotFound},
		{"bad network", CreateSpec{Name: "a", Template: esxisim.TemplateName, Network: "Nope Network"}, ErrNetworkNotFound, errkind.NotFound},
		{"shrink", CreateSpec{Name: "a", Template: esxisim.TemplateName, DiskSizeBytes: 1 << 20}, ErrShrink, errkind.Usage},
		{"wait without power", CreateSpec{Name: "a", Template: esxisim.TemplateName, WaitIP: 1e9}, ErrInvalidSpec, errkind.Usage},
		{"odd memory", CreateSpec{Name: "a", Template: esxisim.TemplateName, MemoryMB: 1023}, ErrInvalidSpec, errkind.Usage},
		{"non-guestinfo key", CreateSpec{Name: "a", Template: esxisim.TemplateName, GuestInfo: map[string]string{"nvram": "x"}}, ErrInvalidSpec, errkind.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Create(ctx, c, tt.spec)
			if !errors.Is(err, tt.want) || errkind.Of(err) != tt.kind {
				t.Fatalf("error %v (kind %v), want %v (kind %v)", err, errkind.Of(err), tt.want, tt.kind)
			}
			if _, err := PlanCreate(ctx, c, tt.spec); !errors.Is(err, tt.want) {
				t.Fatalf("plan error %v, want %v", err, tt.want)
			}
		})
	}
	assertOnlyTemplate(t, sim, "nodisk", "taken", "vm-0001", "vm-0002", "vm-0003")
}

func TestCreateRefusesExistingFolder(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{})
	ctx := testCtx(t)
	if err := NewAPIHost(c).MakeDir(ctx, "[datastore1] orphan"); err != nil {
		t.Fatal(err)
	}
	_, err := Create(ctx, c, CreateSpec{Name: "orphan", Template: esxisim.TemplateName})
	if !errors.Is(err, ErrFolderExists) || !strings.Contains(err.Error(), "rm -rf '/vmfs/volumes/datastore1/orphan'") {
		t.Fatalf("error %v", err)
	}
	assertOnlyTemplate(t, sim, "orphan")
}

func TestCreateOnFreeLicence(t *testing.T) {
	sim, c := startHost(t, esxisim.Options{FreeLicence: true})
	_, err := Create(testCtx(t), c, CreateSpec{Name: "web01", Template: esxisim.TemplateName})
	if !errors.Is(err, client.ErrRestrictedVersion) {
		t.Fatalf("error %v", err)
	}
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(se.Step, "making folder") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("error %v", err)
	}
	assertOnlyTemplate(t, sim)
}
