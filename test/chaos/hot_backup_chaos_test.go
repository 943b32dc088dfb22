//go:build chaos

package chaos

import (
	"reflect"
	"testing"

	"github.com/ceso/ceso/pkg/backup"
	"github.com/ceso/ceso/pkg/backup/esxihost"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// TestHotBackupConnectionCutMidRead cuts every connection that carries
// more than 2 MiB of disk data while a running VM is backed up hot: the
// Range reads fail (each retried on a new connection, cut again), the
// backup fails with nothing listed or stored, the VM keeps running, and
// its snapshot is removed (the small API calls get through). Once the link
// heals the next backup succeeds and leaves no snapshot either.
func TestHotBackupConnectionCutMidRead(t *testing.T) {
	e := bkStart(t, esxisim.Options{})
	direct := e.bkConnect(t, e.sim.Host())
	h := esxihost.New(direct)
	v, err := h.Find(bkCtx(t), bkVM)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.PowerOn(bkCtx(t), v); err != nil {
		t.Fatal(err)
	}
	p := bkStartCutProxy(t, e.sim.Host())
	p.downCut.Store(2 << 20)
	d, _ := e.bkDeps(t, e.bkConnect(t, p.ln.Addr().String()))
	before := bkInfo(t, direct, bkVM)
	_, err = backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM, Readers: 4})
	if err == nil || p.cuts.Load() == 0 {
		t.Fatalf("err = %v after %d cuts", err, p.cuts.Load())
	}
	t.Logf("cut backup: %v", err)
	e.bkAssertClean(t)
	snapshots := func() []esxihost.Snapshot {
		t.Helper()
		list, err := h.Snapshots(bkCtx(t), v)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	if s := snapshots(); len(s) != 0 {
		t.Errorf("the cut backup left snapshots %+v", s)
	}
	after := bkInfo(t, direct, bkVM)
	if after.PowerState != vm.PoweredOn || !reflect.DeepEqual(after.Disks, before.Disks) {
		t.Errorf("the VM changed:\n%+v\nwas\n%+v", after, before)
	}

	p.downCut.Store(0)
	entry, err := backup.Create(bkCtx(t), d, backup.CreateRequest{VM: bkVM})
	if err != nil {
		t.Fatalf("after the link healed: %v", err)
	}
	if entry.Metadata["consistency"] == "" || len(snapshots()) != 0 {
		t.Errorf("entry %+v, snapshots %+v", entry.Metadata, snapshots())
	}
}
