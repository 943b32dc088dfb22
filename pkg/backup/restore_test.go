package backup

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// TestRestoreRefusesDamagedDisk flips a byte in the stored disk: the
// restore fails while uploading, and the partial VM is removed.
func TestRestoreRefusesDamagedDisk(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	e.damage(t, entry, src+"-disk-0.vmdk.zst", flipByte(func(n int) int { return n / 2 }))
	_, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2"})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if e.exists(t, "web2") {
		t.Error("the partial VM was left behind")
	}
}

// TestRestoreWithholdsWrongData damages the disk so that it still
// decompresses, only to other bytes: the upload never completes.
func TestRestoreWithholdsWrongData(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{Uncompressed: true})
	e.damage(t, entry, src+"-disk-0.vmdk", flipByte(func(n int) int { return n - 1 }))
	_, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2"})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("err = %v, want ErrCorrupt on the digest", err)
	}
	if e.exists(t, "web2") {
		t.Error("the partial VM was left behind")
	}
}

func TestRestoreChecksTheArchiveFirst(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	e.damage(t, entry, src+".ovf", flipByte(func(n int) int { return 100 }))
	_, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2"})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("err = %v", err)
	}
}

func TestRestoreRefusals(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	e.withGuestinfo(t, src)
	entry := e.backup(t, CreateRequest{})
	tests := []struct {
		name string
		req  RestoreRequest
		want error
		say  string
	}{
		{"existing name", RestoreRequest{ID: entry.ID, AsNew: src}, ErrVMExists, "--replace"},
		{"no name", RestoreRequest{ID: entry.ID}, ErrInvalidRequest, "--as-new"},
		{"both", RestoreRequest{ID: entry.ID, AsNew: "x", Replace: true}, ErrInvalidRequest, "exclude"},
		{"no ID", RestoreRequest{AsNew: "x"}, ErrInvalidRequest, "ID"},
		{"unknown ID", RestoreRequest{ID: "nope", AsNew: "x"}, storage.ErrNotFound, ""},
		{"bad host name", RestoreRequest{ID: entry.ID, AsNew: "web_2"}, ErrInvalidRequest, "--hostname"},
		{"bad address", RestoreRequest{ID: entry.ID, AsNew: "web2", NICs: []cloudinit.NIC{{Addresses: []string{"10.0.0.300/24"}}}}, ErrInvalidRequest, ""},
		{"unknown network", RestoreRequest{ID: entry.ID, AsNew: "web2", NetworkMap: map[string]string{"LAN": "x"}}, ErrInvalidRequest, "VM Network"},
		{"missing port group", RestoreRequest{ID: entry.ID, AsNew: "web2", NetworkMap: map[string]string{"VM Network": "DMZ"}}, esxihost.ErrNetworkMissing, "--network-map"},
		{"missing datastore", RestoreRequest{ID: entry.ID, AsNew: "web2", Datastore: "nope"}, esxihost.ErrDatastoreMissing, "--datastore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Restore(ctxT(t), e.d, tt.req)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.say) {
				t.Fatalf("err = %v, want %v saying %q", err, tt.want, tt.say)
			}
			if e.exists(t, "web2") || e.exists(t, "x") {
				t.Error("a VM was created")
			}
		})
	}
}

func TestRestoreWithoutCloudInit(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	_, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2", NICs: []cloudinit.NIC{{DHCP4: true}}})
	if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "no cloud-init guestinfo") {
		t.Fatalf("err = %v", err)
	}
	res, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2"})
	if err != nil || res.InstanceID != "" {
		t.Fatalf("plain restore: %+v, %v", res, err)
	}
	info, _ := vm.GetInfo(ctxT(t), e.c, "web2")
	if info.ExtraConfig["guestinfo.ceso.golden"] != "true" {
		t.Errorf("guestinfo not carried over: %v", info.GuestInfoKeys)
	}
}

// TestRestoreReplace replaces the running original: the restored VM takes
// its name and its addresses, on new adapters, and the original is gone.
func TestRestoreReplace(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	e.withGuestinfo(t, src)
	original := e.flat(t, src)
	entry := e.backup(t, CreateRequest{})
	before, _ := vm.GetInfo(ctxT(t), e.c, src)
	e.power(t, src, vm.PoweredOn, true)
	if _, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, Replace: true}); !errors.Is(err, ErrPoweredOn) {
		t.Fatalf("replacing a running VM without Force: %v, want ErrPoweredOn", err)
	}
	if now, _ := vm.GetInfo(ctxT(t), e.c, src); now.UUID != before.UUID || now.PowerState != vm.PoweredOn {
		t.Fatalf("a refused replace changed the VM: %+v", now)
	}
	res, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, Replace: true, Force: true, PowerOn: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Replaced || res.VM != src || !res.PoweredOn {
		t.Errorf("result = %+v", res)
	}
	vms, _ := vm.List(ctxT(t), e.c, vm.Filter{})
	if len(vms) != 1 || vms[0].Name != src {
		t.Fatalf("VMs after the replace: %+v", vms)
	}
	after, _ := vm.GetInfo(ctxT(t), e.c, src)
	if after.UUID == before.UUID || after.NICs[0].MAC == before.NICs[0].MAC {
		t.Errorf("identity not renewed")
	}
	if !bytes.Equal(content(t, e.flat(t, src)), original) {
		t.Error("disk differs")
	}
	s := cloudinit.Decode(after.ExtraConfig).Summary()
	if s.Hostname != "golden" {
		t.Errorf("host name %q, want the original's", s.Hostname)
	}
	if s.InstanceID == "ceso-original" || len(s.NICs) != 1 || !strings.EqualFold(s.NICs[0].MAC, after.NICs[0].MAC) ||
		!slices.Equal(s.NICs[0].Addresses, []string{"192.168.10.20/24"}) || !slices.Equal(s.NICs[0].Gateways, []string{"192.168.10.1"}) {
		t.Errorf("guestinfo after the replace: %+v", s)
	}
}

// TestRestoreReplaceFailurePutsTheOriginalBack damages the backup: the
// original VM keeps its name and is running again.
func TestRestoreReplaceFailurePutsTheOriginalBack(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	e.damage(t, entry, src+"-disk-0.vmdk.zst", flipByte(func(n int) int { return n / 2 }))
	e.power(t, src, vm.PoweredOn, true)
	_, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, Replace: true, Force: true})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v", err)
	}
	vms, _ := vm.List(ctxT(t), e.c, vm.Filter{})
	if len(vms) != 1 || vms[0].Name != src || vms[0].PowerState != vm.PoweredOn {
		t.Fatalf("VMs after the failed replace: %+v", vms)
	}
}

func TestRestoreReplaceOfAMissingVM(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	v, _ := e.h.Find(ctxT(t), src)
	if err := e.h.Destroy(ctxT(t), v); err != nil {
		t.Fatal(err)
	}
	res, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, Replace: true})
	if err != nil || res.Replaced {
		t.Fatalf("%+v, %v", res, err)
	}
	if !e.exists(t, src) {
		t.Error("not restored")
	}
}

func TestRestoreUploadFailureRemovesTheVM(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	e.sim.AddFault(esxisim.FaultRule{Method: "HttpNfcLeaseComplete", Fault: &types.SystemError{Reason: "no"}})
	_, err := Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "web2"})
	if err == nil {
		t.Fatal("restore succeeded")
	}
	if e.exists(t, "web2") {
		t.Error("the partial VM was left behind")
	}
}

func TestAsideName(t *testing.T) {
	now := time.Date(2026, 11, 3, 2, 15, 0, 0, time.UTC)
	if got := asideName("web", now); got != "web.replaced-20261103T021500Z" {
		t.Errorf("asideName = %q", got)
	}
	long := asideName(strings.Repeat("é", 60), now)
	if len(long) > maxVMName || !utf8.ValidString(long) || !strings.HasSuffix(long, ".replaced-20261103T021500Z") {
		t.Errorf("long name: %q (%d bytes)", long, len(long))
	}
}
