package backup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// TestFreeLicenceReplace replaces a running VM on the free licence, where
// it cannot be renamed: it is shut down and unregistered (files kept)
// until the restore is whole, then its files are removed. When the
// restore fails, it is registered again and powered on.
func TestFreeLicenceReplace(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	shell := e.withShell(t)
	e.withGuestinfo(t, src)
	entry := e.backup(t, CreateRequest{})
	original := e.flat(t, src)
	e.power(t, src, vm.PoweredOn, true)
	e.sim.SetFreeLicence(true)

	remove := e.sim.AddFault(esxisim.FaultRule{Method: "CopyVirtualDisk_Task", Fault: &types.NoDiskSpace{}, Delay: 200 * time.Millisecond})
	// The simulated shell registers a .vmx by creating the VM anew, which
	// vcsim refuses in a folder holding a vmware.log (ESXi does not): the
	// unregistered VM's log goes while the import waits for its fault.
	go func() {
		for !slices.ContainsFunc(shell.Commands(), func(c string) bool { return strings.HasPrefix(c, "vim-cmd vmsvc/unregister") }) {
			time.Sleep(time.Millisecond)
		}
		_ = os.Remove(filepath.Join(e.sim.DatastoreDir(), src, "vmware.log"))
	}()
	notes, err := runOp(t, func(ctx context.Context) error {
		_, err := Restore(ctx, e.d, RestoreRequest{ID: entry.ID, Replace: true, Force: true, ShutdownTimeout: 10 * time.Second})
		return err
	})
	remove()
	if !errors.Is(err, client.ErrNoDiskSpace) || !hasNote(notes, "registered again") {
		t.Fatalf("err = %v, notes %q", err, notes)
	}
	if e.powerState(t, src) != vm.PoweredOn {
		t.Error("the original VM is not running again")
	}
	if _, ok := e.datastoreTree(t)[src+"_1/"+src+".vmx"]; ok {
		t.Error("the failed restore's folder is left")
	}

	if err := e.sim.SetGuest(src, esxisim.Guest{ToolsRunning: true}); err != nil {
		t.Fatal(err)
	}
	n := len(shell.Commands())
	notes, err = runOp(t, func(ctx context.Context) error {
		_, err := Restore(ctx, e.d, RestoreRequest{ID: entry.ID, Replace: true, Force: true, ShutdownTimeout: 10 * time.Second})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCommands(t, shell.Commands()[n:], "vim-cmd vmsvc/power.shutdown ", "vim-cmd vmsvc/unregister ", "mkdir /vmfs/volumes/datastore1/"+src+"_1",
		"vim-cmd solo/registervm /vmfs/volumes/datastore1/"+src+"_1/"+src+".vmx", "rm -rf /vmfs/volumes/datastore1/"+src)
	if !hasNote(notes, "unregistered") || !hasNote(notes, "removed the replaced VM's files") {
		t.Errorf("notes %q", notes)
	}
	if got := e.flat(t, src); !bytes.Equal(got, original) {
		t.Fatal("the replacement's disk differs from the backup's")
	}
	for f := range e.datastoreTree(t) {
		if strings.HasPrefix(f, src+"/") {
			t.Errorf("the replaced VM's file %s is left", f)
		}
	}
}

// TestFreeLicenceRestoreOfDamagedDisk flips one byte of a stored
// streamOptimized disk: the restore over SSH converts and uploads it, but
// withholds its last bytes, fails naming the damage, and leaves neither a
// VM nor its folder.
func TestFreeLicenceRestoreOfDamagedDisk(t *testing.T) {
	for _, compressed := range []bool{true, false} {
		e := newEnv(t, esxisim.Options{})
		e.withShell(t)
		e.power(t, src, vm.PoweredOn, false)
		entry := e.backup(t, CreateRequest{Uncompressed: !compressed})
		name := src + "-disk-0.vmdk"
		if compressed {
			name += ".zst"
		}
		p := filepath.Join(e.local.Root(), src, entry.ID, name)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0x40
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		e.sim.SetFreeLicence(true)
		_, err = Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "damaged"})
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("compressed %v: err = %v, want ErrCorrupt", compressed, err)
		}
		if e.exists(t, "damaged") {
			t.Error("the damaged restore left a VM")
		}
		for f := range e.datastoreTree(t) {
			if strings.HasPrefix(f, "damaged") {
				t.Errorf("the damaged restore left %s", f)
			}
		}
	}
}
