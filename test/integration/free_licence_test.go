//go:build !integration

package integration

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// TestFreeLicenceLifecycle: on the free licence the API refuses every
// write; with esxi.transport auto, create from the template with a static
// address, power, clone and delete all go over SSH, say so, and leave
// nothing behind.
func TestFreeLicenceLifecycle(t *testing.T) {
	h := startFreeHost(t)
	ctx := context.Background()
	tmpl := esxisim.TemplateName

	// The API alone is refused.
	if _, err := vm.Create(ctx, h.c, vm.CreateSpec{Name: "refused", Template: tmpl}); !errors.Is(err, client.ErrRestrictedVersion) {
		t.Fatalf("create over the API: %v, want RestrictedVersion", err)
	}

	keys, err := cloudinit.Build(cloudinit.Spec{Hostname: "web", InstanceID: "iid-free-web",
		NICs: []cloudinit.NIC{{Addresses: []string{"192.0.2.20/24"}, Gateway4: "192.0.2.1", DNS: []string{"192.0.2.53"}}}})
	if err != nil {
		t.Fatal(err)
	}
	fb := h.fallback(t)
	var created *vm.Result
	notes := freeOp(t, "vm.create", func(ctx context.Context) error {
		created, err = vm.Create(ctx, h.c, vm.CreateSpec{Name: "web", Template: tmpl, GuestInfo: keys, DiskSizeBytes: 16 << 20, Host: fb})
		return err
	})
	wantCommands(t, h.commandsSince(0),
		"mkdir /vmfs/volumes/datastore1/web",
		"vmkfstools -i /vmfs/volumes/datastore1/"+tmpl+"/"+tmpl+".vmdk -d thin /vmfs/volumes/datastore1/web/web.vmdk",
		`sh -c 'set -C; cat > "$1"' sh /vmfs/volumes/datastore1/web/web.vmx`,
		"vim-cmd solo/registervm /vmfs/volumes/datastore1/web/web.vmx",
		"vmkfstools -X 16384k /vmfs/volumes/datastore1/web/web.vmdk",
		"vim-cmd vmsvc/reload ")
	assertNotes(t, notes, "making folder", "copying disk", "creating VM web", "growing disk")
	if !bytes.Equal(h.freeFlat(t, created.Disks[0]), h.freeFlat(t, "[datastore1] "+tmpl+"/"+tmpl+".vmdk")) {
		t.Fatal("the copy's disk differs from the template's")
	}
	info, err := vm.GetInfo(ctx, h.c, "web")
	if err != nil {
		t.Fatal(err)
	}
	tmplInfo, _ := vm.GetInfo(ctx, h.c, tmpl)
	if info.CPU != tmplInfo.CPU || info.MemoryMB != tmplInfo.MemoryMB || info.Firmware != tmplInfo.Firmware ||
		info.Disks[0].CapacityBytes != 16<<20 || info.NICs[0].MAC == "" || info.NICs[0].MAC == tmplInfo.NICs[0].MAC || info.UUID == tmplInfo.UUID {
		t.Fatalf("created VM %+v\ntemplate %+v", info, tmplInfo)
	}
	freeIdentity(t, info, "web", "iid-free-web", "192.0.2.20/24")

	// Power over vim-cmd.
	n := len(h.shell.Commands())
	notes = freeOp(t, "vm.power", func(ctx context.Context) error {
		if _, err := vm.Power(ctx, h.c, "web", vm.PowerOn, vm.PowerOptions{Host: fb}); err != nil {
			return err
		}
		if ip, err := vm.WaitForIP(ctx, h.c, "web", 30*time.Second); err != nil || ip == "" {
			t.Errorf("no guest address: %q %v", ip, err)
		}
		_, err := vm.Power(ctx, h.c, "web", vm.PowerOff, vm.PowerOptions{Host: fb})
		return err
	})
	wantCommands(t, h.commandsSince(n), "vim-cmd vmsvc/power.on ", "vim-cmd vmsvc/power.off ")
	assertNotes(t, notes, "powering on web", "powering off web")

	// Clone with a new address.
	n = len(h.shell.Commands())
	var cloned *vm.Result
	notes = freeOp(t, "vm.clone", func(ctx context.Context) error {
		cloned, err = vm.Clone(ctx, h.c, vm.CloneSpec{Name: "web-clone", Source: "web", Host: fb,
			Identity: &cloudinit.Spec{Hostname: "clone", NICs: []cloudinit.NIC{{Addresses: []string{"192.0.2.21/24"}, Gateway4: "192.0.2.1"}}}})
		return err
	})
	wantCommands(t, h.commandsSince(n), "mkdir ", "vmkfstools -i ", "sh -c ", "vim-cmd solo/registervm ")
	assertNotes(t, notes, "making folder", "copying disk", "creating VM web-clone")
	if !bytes.Equal(h.freeFlat(t, cloned.Disks[0]), h.freeFlat(t, created.Disks[0])) {
		t.Fatal("the clone's disk differs from its source's")
	}
	cloneInfo, err := vm.GetInfo(ctx, h.c, "web-clone")
	if err != nil {
		t.Fatal(err)
	}
	freeIdentity(t, cloneInfo, "clone", "", "192.0.2.21/24")

	// Delete both, one of them running.
	if _, err := vm.Power(ctx, h.c, "web-clone", vm.PowerOn, vm.PowerOptions{Host: fb}); err != nil {
		t.Fatal(err)
	}
	n = len(h.shell.Commands())
	notes = freeOp(t, "vm.delete", func(ctx context.Context) error {
		for _, name := range []string{"web-clone", "web"} {
			if err := vm.DeleteWith(ctx, h.c, name, vm.DeleteOptions{Force: true, Host: fb}); err != nil {
				return err
			}
		}
		return nil
	})
	wantCommands(t, h.commandsSince(n), "vim-cmd vmsvc/power.off ", "vim-cmd vmsvc/destroy ", "vim-cmd vmsvc/destroy ")
	assertNotes(t, notes, "powering off web-clone", "destroying web-clone", "destroying web")
	vms, err := vm.List(ctx, h.c, vm.Filter{})
	if err != nil || len(vms) != 1 || vms[0].Name != tmpl {
		t.Fatalf("VMs left: %+v %v", vms, err)
	}
	entries, err := os.ReadDir(h.sim.DatastoreDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != tmpl {
		t.Fatalf("the datastore holds %v besides the template", entries)
	}
}

// assertNotes wants one note per step, each saying it went over SSH.
func assertNotes(t *testing.T, notes []string, steps ...string) {
	t.Helper()
	for _, s := range steps {
		found := false
		for _, n := range notes {
			if strings.HasPrefix(n, s) && strings.HasSuffix(n, " over SSH: the host's licence refuses API writes") {
				found = true
			}
		}
		if !found {
			t.Errorf("no note for %q in:\n  %s", s, strings.Join(notes, "\n  "))
		}
	}
}

// freeIdentity decodes a VM's guestinfo as cloud-init would.
func freeIdentity(t *testing.T, info *vm.Info, hostname, instanceID, addr string) {
	t.Helper()
	d := cloudinit.Decode(info.ExtraConfig)
	if err := d.Err(); err != nil {
		t.Fatalf("guestinfo of %s: %v", info.Name, err)
	}
	if got, _ := d.Metadata["local-hostname"].(string); got != hostname {
		t.Errorf("%s: host name %q, want %q", info.Name, got, hostname)
	}
	if id, _ := d.Metadata["instance-id"].(string); id == "" || (instanceID != "" && id != instanceID) {
		t.Errorf("%s: instance-id %q, want %q", info.Name, id, instanceID)
	}
	if !strings.Contains(stringify(d.Network), addr) {
		t.Errorf("%s: network %v lacks %s", info.Name, d.Network, addr)
	}
}

// TestFreeLicenceDryRun: the plan of a create on the free licence is the
// shell commands that would run, and nothing runs.
func TestFreeLicenceDryRun(t *testing.T) {
	h := startFreeHost(t)
	ctx := context.Background()
	steps, err := vm.PlanCreate(ctx, h.c, vm.CreateSpec{Name: "dry", Template: esxisim.TemplateName, PowerOn: true, Host: h.fallback(t)})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, s := range steps {
		lines = append(lines, s.String())
	}
	tmpl := esxisim.TemplateName
	wantCommands(t, lines,
		"[local] writes over SSH",
		"[ssh] mkdir /vmfs/volumes/datastore1/dry",
		"[ssh] vmkfstools -i /vmfs/volumes/datastore1/"+tmpl+"/"+tmpl+".vmdk -d thin /vmfs/volumes/datastore1/dry/dry.vmdk",
		`[ssh] sh -c 'set -C; cat > "$1"' sh /vmfs/volumes/datastore1/dry/dry.vmx`,
		"[ssh] vim-cmd solo/registervm /vmfs/volumes/datastore1/dry/dry.vmx",
		"[ssh] vim-cmd vmsvc/power.on $vmid")
	if got := h.shell.Commands(); len(got) != 0 {
		t.Fatalf("a dry run ran %v", got)
	}
	if len(h.srv.Logins()) != 0 {
		t.Fatal("a dry run logged in over SSH")
	}
	if _, err := vm.GetInfo(ctx, h.c, "dry"); !errors.Is(err, vm.ErrNotFound) {
		t.Fatalf("a dry run made the VM: %v", err)
	}
}
