package esxishell

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

const tmplDisk = "/vmfs/volumes/datastore1/" + template + "/" + template + ".vmdk"

func TestCloneDisk(t *testing.T) {
	e := newEnv(t)
	e.must(t, "mkdir -p /vmfs/volumes/datastore1/c/d")
	out, _, exit := e.exec(t, "vmkfstools -i "+tmplDisk+" -a lsilogic -d thin /vmfs/volumes/datastore1/c/c.vmdk")
	if exit != 0 || ssh.ParseVmkfstools(out, exit) != nil || !strings.HasPrefix(out, "Option --adaptertype is deprecated") {
		t.Fatalf("clone: exit %d\n%s", exit, out)
	}
	want, _ := os.ReadFile(filepath.Join(e.sim.DatastoreDir(), template, template+"-flat.vmdk"))
	got, _ := os.ReadFile(filepath.Join(e.sim.DatastoreDir(), "c", "c-flat.vmdk"))
	if len(want) == 0 || string(got) != string(want) {
		t.Fatalf("copied %d bytes of %d", len(got), len(want))
	}
	tests := []struct {
		name, line string
		want       error
	}{
		{"destination exists", "vmkfstools -i " + tmplDisk + " -d thin /vmfs/volumes/datastore1/c/c.vmdk", ssh.ErrAlreadyExists},
		{"source missing", "vmkfstools -i /vmfs/volumes/datastore1/none/none.vmdk -d thin /vmfs/volumes/datastore1/c/x.vmdk", ssh.ErrNotFound},
		{"folder missing", "vmkfstools -i " + tmplDisk + " -d thin /vmfs/volumes/datastore1/nofolder/x.vmdk", ssh.ErrNotFound},
		{"source off the datastore", "vmkfstools -i /scratch/x.vmdk -d thin /vmfs/volumes/datastore1/c/x.vmdk", ssh.ErrNotFound},
		{"bad option", "vmkfstools -i " + tmplDisk + " -z x /vmfs/volumes/datastore1/c/y.vmdk", ssh.ErrCommandFailed},
		{"no destination", "vmkfstools -i " + tmplDisk, ssh.ErrCommandFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, exit := e.exec(t, tt.line)
			if err := ssh.ParseVmkfstools(out+errOut, exit); !errors.Is(err, tt.want) {
				t.Fatalf("%v\n%s%s", err, out, errOut)
			}
		})
	}
	// A full datastore, injected in the simulator, shows as vmkfstools says it.
	e.sim.FailTask("CopyVirtualDisk_Task", &types.NoDiskSpace{Datastore: "datastore1"}, 1)
	out, errOut, exit := e.exec(t, "vmkfstools -i "+tmplDisk+" -d thin /vmfs/volumes/datastore1/c/full.vmdk")
	if err := ssh.ParseVmkfstools(out+errOut, exit); !errors.Is(err, ssh.ErrNoSpace) ||
		errOut != "Failed to clone disk: There is not enough space on the file system for the selected operation (13).\n" {
		t.Fatalf("full datastore: %v\n%s%s", err, out, errOut)
	}
}

func TestDeleteAndGrowDisk(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	host := sshhost.New(runner{e.shell}, sshhost.Options{})
	e.must(t, "mkdir /vmfs/volumes/datastore1/g")
	e.must(t, "vmkfstools -i "+tmplDisk+" -d thin /vmfs/volumes/datastore1/g/g.vmdk")
	if err := host.DeleteDisk(ctx, "[datastore1] g/g.vmdk"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.sim.DatastoreDir(), "g", "g-flat.vmdk")); !os.IsNotExist(err) {
		t.Fatalf("flat file left: %v", err)
	}
	if err := host.DeleteDisk(ctx, "[datastore1] g/g.vmdk"); !errors.Is(err, ssh.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// Grow the template: vmkfstools -X changes the descriptor, reload makes
	// the VM see it.
	ref := vm.VMRef{ID: e.vmidOfName(t, template), Name: template}
	if err := host.GrowDisk(ctx, ref, "[datastore1] "+template+"/"+template+".vmdk", 8<<20); err != nil {
		t.Fatal(err)
	}
	info, err := vm.GetInfo(ctx, e.c, template)
	if err != nil || info.Disks[0].CapacityBytes != 8<<20 {
		t.Fatalf("after grow: %+v, %v", info.Disks, err)
	}
	if err := host.GrowDisk(ctx, ref, "[datastore1] "+template+"/"+template+".vmdk", 4<<20); err == nil {
		t.Fatal("shrink accepted")
	}
	for _, line := range []string{"vmkfstools -X 1 " + tmplDisk, "vmkfstools -X 0k " + tmplDisk, "vmkfstools -X", "vmkfstools -U", "vmkfstools", "vmkfstools -X 1g /etc/passwd"} {
		if _, _, exit := e.exec(t, line); exit == 0 {
			t.Errorf("%s succeeded", line)
		}
	}
}

func TestFoldersAndFileWrites(t *testing.T) {
	e := newEnv(t)
	e.must(t, "mkdir '/vmfs/volumes/datastore1/a b'")
	if _, stderr, exit := e.exec(t, "mkdir '/vmfs/volumes/datastore1/a b'"); exit == 0 || !strings.Contains(stderr, "File exists") {
		t.Fatalf("second mkdir: %d %q", exit, stderr)
	}
	if _, stderr, _ := e.exec(t, "mkdir /vmfs/volumes/datastore1/x/y"); !strings.Contains(stderr, "No such file or directory") {
		t.Fatalf("mkdir without parent: %q", stderr)
	}
	e.must(t, "mkdir -p /vmfs/volumes/datastore1/x/y")
	path := "/vmfs/volumes/datastore1/a b/f.txt"
	write := func(p string) string {
		return ssh.Command{Argv: []string{"sh", "-c", sshhost.ScriptWrite, "sh", p}}.String()
	}
	if _, stderr, exit := e.execIn(t, write(path), "one two"); exit != 0 {
		t.Fatalf("write: %d %s", exit, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(e.sim.DatastoreDir(), "a b", "f.txt")); string(b) != "one two" {
		t.Fatalf("file holds %q", b)
	}
	if _, stderr, exit := e.execIn(t, write(path), "again"); exit != 2 || !strings.Contains(stderr, "File exists") {
		t.Fatalf("a second write must not overwrite: %d %q", exit, stderr)
	}
	if _, stderr, exit := e.execIn(t, write("/vmfs/volumes/datastore1/nodir/f"), "x"); exit != 2 || !strings.Contains(stderr, "No such file") {
		t.Fatalf("write into a missing folder: %d %q", exit, stderr)
	}
	if _, _, exit := e.exec(t, "rm '/vmfs/volumes/datastore1/a b'"); exit == 0 {
		t.Fatal("rm of a folder without -r succeeded")
	}
	e.must(t, "rm -rf '/vmfs/volumes/datastore1/a b'")
	e.must(t, "rm -f /vmfs/volumes/datastore1/gone")
	if _, _, exit := e.exec(t, "rm /vmfs/volumes/datastore1/gone"); exit == 0 {
		t.Fatal("rm of a missing file succeeded")
	}
	if _, _, exit := e.exec(t, "rm -x /vmfs/volumes/datastore1/x"); exit == 0 {
		t.Fatal("rm -x succeeded")
	}
	if _, err := os.Stat(filepath.Join(e.sim.DatastoreDir(), "a b")); !os.IsNotExist(err) {
		t.Fatalf("folder left: %v", err)
	}
	if _, _, exit := e.exec(t, "rm -rf /vmfs/volumes/datastore1"); exit == 0 {
		t.Fatal("rm of the datastore root succeeded")
	}
}

func TestSnapshotsAndDestroy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	host := sshhost.New(runner{e.shell}, sshhost.Options{})
	ref := vm.VMRef{ID: e.vmidOfName(t, template), Name: template}
	id, err := host.CreateSnapshot(ctx, ref, "before")
	if err != nil {
		t.Fatal(err)
	}
	id2, err := host.CreateSnapshot(ctx, ref, "after")
	if err != nil || id2 == id {
		t.Fatalf("second snapshot %q, %v", id2, err)
	}
	snaps, err := sshhost.ParseSnapshots(e.must(t, "vim-cmd vmsvc/snapshot.get "+ref.ID))
	if err != nil || len(snaps) != 2 || snaps[0].Name != "before" || snaps[1].Depth != 2 || snaps[1].Description == "" {
		t.Fatalf("snapshots %+v, %v", snaps, err)
	}
	if err := host.RemoveSnapshot(ctx, ref, id2); err != nil {
		t.Fatal(err)
	}
	if err := host.RemoveSnapshot(ctx, ref, id2); !errors.Is(err, ssh.ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	if err := host.RemoveSnapshot(ctx, ref, id); err != nil {
		t.Fatal(err)
	}
	if out := e.must(t, "vim-cmd vmsvc/snapshot.get "+ref.ID); out != "Get Snapshot:\n" {
		t.Fatalf("no snapshots left, got %q", out)
	}
	for _, line := range []string{"vim-cmd vmsvc/snapshot.revert " + ref.ID, "vim-cmd vmsvc/snapshot.remove " + ref.ID, "vim-cmd vmsvc/snapshot.get"} {
		if _, _, exit := e.exec(t, line); exit == 0 {
			t.Errorf("%s succeeded", line)
		}
	}
	// Destroy refuses a running VM, then removes it.
	if err := host.Power(ctx, ref, vm.PowerOn); err != nil {
		t.Fatal(err)
	}
	if err := host.Destroy(ctx, ref); !errors.Is(err, ssh.ErrInvalidPowerState) {
		t.Fatalf("destroy of a running VM: %v", err)
	}
	if err := host.Power(ctx, ref, vm.PowerOff); err != nil {
		t.Fatal(err)
	}
	if err := host.Destroy(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if err := host.Destroy(ctx, ref); !errors.Is(err, ssh.ErrNotFound) {
		t.Fatalf("second destroy: %v", err)
	}
}

// TestOverSSH runs the shell behind the in-process SSH server.
func TestOverSSH(t *testing.T) {
	e := newEnv(t)
	srv := sshtest.New(t, sshtest.Options{Password: "pw", Handler: e.shell})
	c, err := ssh.Dial(context.Background(), srv.ClientConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Run(context.Background(), ssh.GetAllVMs())
	if err != nil {
		t.Fatal(err)
	}
	vms, err := ssh.ParseGetAllVMs(res.Stdout)
	if err != nil || len(vms) != 1 || vms[0].Name != template {
		t.Fatalf("%v %v", vms, err)
	}
	if got := srv.Commands(); len(got) != 1 || got[0] != "vim-cmd vmsvc/getallvms" {
		t.Fatalf("server saw %q", got)
	}
}

// runner runs commands in the shell directly, without SSH.
type runner struct{ s *Shell }

func (r runner) Run(ctx context.Context, cmd ssh.Command) (ssh.Result, error) {
	var out, errOut strings.Builder
	exit := r.s.Exec(ctx, cmd.String(), &out, &errOut)
	return ssh.Result{Stdout: out.String(), Stderr: errOut.String(), ExitStatus: exit}, nil
}

// TestMove: mv -n renames, moves into a directory, leaves an existing
// file as it is (exit 0, as BusyBox does), and fails on a missing source.
func TestMove(t *testing.T) {
	e := newEnv(t)
	ds := e.sim.DatastoreDir()
	e.must(t, "mkdir -p /vmfs/volumes/datastore1/b/x.partial")
	if err := os.WriteFile(filepath.Join(ds, "b", "x.partial", "f"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must(t, "mv -n /vmfs/volumes/datastore1/b/x.partial /vmfs/volumes/datastore1/b/x")
	if b, err := os.ReadFile(filepath.Join(ds, "b", "x", "f")); err != nil || string(b) != "data" {
		t.Fatalf("after the rename: %q %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(ds, "b", "g"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must(t, "mv -n /vmfs/volumes/datastore1/b/g /vmfs/volumes/datastore1/b/x/f")
	if b, _ := os.ReadFile(filepath.Join(ds, "b", "x", "f")); string(b) != "data" {
		t.Fatalf("-n replaced the file: %q", b)
	}
	e.must(t, "mv /vmfs/volumes/datastore1/b/g /vmfs/volumes/datastore1/b/x")
	if _, err := os.Stat(filepath.Join(ds, "b", "x", "g")); err != nil {
		t.Fatalf("not moved into the folder: %v", err)
	}
	if _, stderr, exit := e.exec(t, "mv /vmfs/volumes/datastore1/b/none /vmfs/volumes/datastore1/b/y"); exit != 1 || !strings.Contains(stderr, "No such file") {
		t.Fatalf("missing source: %d %q", exit, stderr)
	}
	if _, _, exit := e.exec(t, "mv /vmfs/volumes/datastore1/b/x /etc/x"); exit == 0 {
		t.Fatal("a move out of the datastores succeeded")
	}
	if _, _, exit := e.exec(t, "mv /vmfs/volumes/datastore1/b/x"); exit == 0 {
		t.Fatal("mv with one argument succeeded")
	}
}

// TestSnapshotDeltasOverTheShell takes a snapshot with vim-cmd, finds the
// template on an SEsparse delta, clones the delta with vmkfstools -i into
// one flat disk holding the current state, and consolidates with
// snapshot.removeall.
func TestSnapshotDeltasOverTheShell(t *testing.T) {
	e := newEnv(t)
	vmid := e.vmidOfName(t, template)
	e.must(t, "vim-cmd vmsvc/power.on "+vmid)
	if out := e.must(t, "vim-cmd vmsvc/snapshot.create "+vmid+" s1 d 0 0"); out != "Create Snapshot:\n" {
		t.Fatalf("snapshot.create printed %q", out)
	}
	delta := "/vmfs/volumes/datastore1/" + template + "/" + template + "-000001.vmdk"
	if _, err := os.Stat(filepath.Join(e.sim.DatastoreDir(), template, template+"-000001-sesparse.vmdk")); err != nil {
		t.Fatalf("no delta after snapshot.create: %v", err)
	}
	if err := e.sim.WriteGuestDisk(template, 0, 12345, []byte("written after the snapshot")); err != nil {
		t.Fatal(err)
	}
	want, err := e.sim.ReadDisk(template, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.must(t, "mkdir /vmfs/volumes/datastore1/c")
	out, errOut, exit := e.exec(t, "vmkfstools -i "+delta+" -d thin /vmfs/volumes/datastore1/c/c.vmdk")
	if err := ssh.ParseVmkfstools(out+errOut, exit); err != nil {
		t.Fatalf("cloning the delta: %v\n%s%s", err, out, errOut)
	}
	got, _ := os.ReadFile(filepath.Join(e.sim.DatastoreDir(), "c", "c-flat.vmdk"))
	if string(got) != string(want) {
		t.Fatal("vmkfstools -i of a delta did not copy the chain's current state")
	}
	if out := e.must(t, "vim-cmd vmsvc/snapshot.removeall "+vmid); out != "Remove All Snapshots:\n" {
		t.Fatalf("snapshot.removeall printed %q", out)
	}
	flat, _ := os.ReadFile(filepath.Join(e.sim.DatastoreDir(), template, template+"-flat.vmdk"))
	if string(flat) != string(want) {
		t.Fatal("snapshot.removeall did not consolidate the delta into the base")
	}
	if left, _ := filepath.Glob(filepath.Join(e.sim.DatastoreDir(), template, "*-000001*")); len(left) > 0 {
		t.Fatalf("delta files left: %v", left)
	}
}
