package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// TestVMLifecycle: create from the template with a static address, check
// the disk bytes and the guestinfo, clone with a new address, power cycle,
// delete both, and check that nothing is left on the datastore.
func TestVMLifecycle(t *testing.T) {
	h := startHost(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	web, clone := "ceso-it-web-"+hex.EncodeToString(suffix), "ceso-it-clone-"+hex.EncodeToString(suffix)
	t.Cleanup(func() {
		for _, name := range []string{clone, web} {
			if err := vm.Delete(context.Background(), h.c, name, true); err != nil && !errors.Is(err, vm.ErrNotFound) {
				t.Errorf("cleanup of %s: %v", name, err)
			}
		}
	})

	keys, err := cloudinit.Build(cloudinit.Spec{Hostname: "web", InstanceID: "iid-" + web,
		NICs: []cloudinit.NIC{{Addresses: []string{"192.0.2.10/24"}, Gateway4: "192.0.2.1", DNS: []string{"192.0.2.53"}}}})
	if err != nil {
		t.Fatal(err)
	}
	created, err := vm.Create(ctx, h.c, vm.CreateSpec{Name: web, Template: h.template, Datastore: h.datastore, Network: h.network, GuestInfo: keys})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := vm.GetInfo(ctx, h.c, h.template)
	if err != nil {
		t.Fatal(err)
	}
	h.assertSameDisk(ctx, t, tmpl.Disks[0].Path, created.Disks[0])
	h.assertIdentity(ctx, t, web, "web", "iid-"+web, "192.0.2.10/24")
	if len(created.MACs) == 0 || len(tmpl.NICs) == 0 || strings.EqualFold(created.MACs[0], tmpl.NICs[0].MAC) {
		t.Errorf("MACs: template %v, copy %v", tmpl.NICs, created.MACs)
	}

	cloned, err := vm.Clone(ctx, h.c, vm.CloneSpec{Name: clone, Source: web, Datastore: h.datastore,
		Identity: &cloudinit.Spec{Hostname: "clone", NICs: []cloudinit.NIC{{Addresses: []string{"192.0.2.11/24"}, Gateway4: "192.0.2.1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	h.assertSameDisk(ctx, t, created.Disks[0], cloned.Disks[0])
	h.assertIdentity(ctx, t, clone, "clone", "", "192.0.2.11/24")
	if cloned.UUID == created.UUID || cloned.MACs[0] == created.MACs[0] {
		t.Errorf("clone kept the source's identity: %+v %+v", created, cloned)
	}

	h.powerCycle(ctx, t, clone, "192.0.2.11")

	for _, name := range []string{clone, web} {
		if err := vm.Delete(ctx, h.c, name, true); err != nil {
			t.Fatal(err)
		}
		h.assertNoFolder(ctx, t, name)
	}
	if h.sim != nil {
		entries, err := os.ReadDir(h.sim.DatastoreDir())
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != h.template {
			t.Fatalf("the datastore holds %v besides the template", entries)
		}
	}
}

// flatOf splits "[ds] dir/disk.vmdk" into the folder and the data file name.
func flatOf(disk string) (dir, flat string) {
	rel := disk[strings.Index(disk, "]")+1:]
	rel = strings.TrimSpace(rel)
	return path.Dir(rel), strings.TrimSuffix(path.Base(rel), ".vmdk") + "-flat.vmdk"
}

// assertSameDisk compares the data of two disks: the first MiB over the
// host's file access, and on the simulator the whole files.
func (h *host) assertSameDisk(ctx context.Context, t *testing.T, a, b string) {
	t.Helper()
	dirA, flatA := flatOf(a)
	dirB, flatB := flatOf(b)
	if h.sim != nil {
		da, errA := os.ReadFile(filepath.Join(h.sim.DatastoreDir(), dirA, flatA))
		db, errB := os.ReadFile(filepath.Join(h.sim.DatastoreDir(), dirB, flatB))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if len(da) == 0 || !bytes.Equal(da, db) {
			t.Fatalf("%s and %s differ", a, b)
		}
	}
	ha, hb := h.headOfFile(ctx, t, dirA, flatA), h.headOfFile(ctx, t, dirB, flatB)
	if !sameHead(ha, hb) {
		t.Fatalf("the first %d bytes of %s and %s differ", compareBytes, a, b)
	}
}

// assertIdentity decodes a VM's guestinfo as cloud-init would.
func (h *host) assertIdentity(ctx context.Context, t *testing.T, name, hostname, instanceID, addr string) {
	t.Helper()
	info, err := vm.GetInfo(ctx, h.c, name)
	if err != nil {
		t.Fatal(err)
	}
	d := cloudinit.Decode(info.ExtraConfig)
	if err := d.Err(); err != nil {
		t.Fatalf("guestinfo of %s: %v", name, err)
	}
	if got, _ := d.Metadata["local-hostname"].(string); got != hostname {
		t.Errorf("%s: host name %q, want %q", name, got, hostname)
	}
	id, _ := d.Metadata["instance-id"].(string)
	if (instanceID != "" && id != instanceID) || id == "" {
		t.Errorf("%s: instance-id %q, want %q", name, id, instanceID)
	}
	if !strings.Contains(stringify(d.Network), addr) {
		t.Errorf("%s: network %v lacks %s", name, d.Network, addr)
	}
}

// powerCycle powers a VM on (twice: the second finds it on), waits on the
// simulator for the guest to report the address its guestinfo gave it,
// resets, suspends, resumes and powers it off.
func (h *host) powerCycle(ctx context.Context, t *testing.T, name, wantIP string) {
	t.Helper()
	steps := []struct {
		op      vm.PowerOp
		already bool
	}{{vm.PowerOn, false}, {vm.PowerOn, true}, {vm.PowerReset, false}, {vm.PowerSuspend, false}, {vm.PowerOn, false}, {vm.PowerOff, false}, {vm.PowerOff, true}}
	for i, s := range steps {
		res, err := vm.Power(ctx, h.c, name, s.op, vm.PowerOptions{})
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, s.op, err)
		}
		if res.AlreadyInState != s.already {
			t.Fatalf("step %d (%s): %+v", i, s.op, res)
		}
		if i == 0 && h.sim != nil {
			if ip, err := vm.WaitForIP(ctx, h.c, name, 30*time.Second); err != nil || ip != wantIP {
				t.Fatalf("guest address %q (%v), want %s", ip, err, wantIP)
			}
		}
	}
}
