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

	"github.com/ceso/ceso/internal/storage"
	"github.com/ceso/ceso/pkg/backup/archive"
	"github.com/ceso/ceso/pkg/backup/target"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/esxishell"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/ssh/sshtest"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// withShell gives the environment the simulated ESXi shell over SSH, as
// esxi.transport auto does, and returns the shell (its Commands).
func (e *env) withShell(t *testing.T) *esxishell.Shell {
	t.Helper()
	shell, err := esxishell.New(ctxT(t), e.sim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shell.Close() })
	srv := sshtest.New(t, sshtest.Options{Password: "ssh-secret", Handler: shell})
	cfg := srv.ClientConfig(t)
	lazy := sshhost.NewLazy(func(ctx context.Context) (sshhost.RunCloser, error) { return ssh.Dial(ctx, cfg) })
	t.Cleanup(func() { _ = lazy.Close() })
	e.d.Shell = lazy
	return shell
}

// commandsLike lists the shell's commands that begin with one of prefixes.
func commandsLike(shell *esxishell.Shell, prefixes ...string) []string {
	var out []string
	for _, c := range shell.Commands() {
		for _, p := range prefixes {
			if strings.HasPrefix(c, p) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// datastoreTree maps every file of the simulator's datastore to its size.
func (e *env) datastoreTree(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.Walk(e.sim.DatastoreDir(), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(e.sim.DatastoreDir(), p)
			out[rel] = info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFreeLicenceEndToEnd: on the free licence, with the SSH fallback, a
// running VM is backed up hot (its snapshot taken and removed with
// vim-cmd), verified, and restored as a new VM with a new address (mkdir,
// uploads over /folder, vmkfstools -i, the .vmx on stdin, solo/registervm);
// each step over SSH is noted.
func TestFreeLicenceEndToEnd(t *testing.T) {
	e := newEnv(t, esxisim.Options{TemplateDiskSize: hotDiskSize})
	shell := e.withShell(t)
	orig := e.withGuestinfo(t, src)
	e.zeroChunk(t, src)
	nvram := []byte("free-licence NVRAM")
	if err := os.WriteFile(filepath.Join(e.sim.DatastoreDir(), src, src+".nvram"), nvram, 0o644); err != nil {
		t.Fatal(err)
	}
	original := e.flat(t, src)
	e.power(t, src, vm.PoweredOn, true)
	e.sim.SetFreeLicence(true)

	var entry storage.Entry
	notes, err := runOp(t, func(ctx context.Context) (err error) {
		entry, err = Create(ctx, e.d, CreateRequest{VM: src})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if entry.Metadata[metaConsistency] != archive.ConsistencyQuiesced || e.powerState(t, src) != vm.PoweredOn {
		t.Errorf("metadata %v", entry.Metadata)
	}
	snaps := commandsLike(shell, "vim-cmd vmsvc/snapshot.")
	if len(snaps) != 2 || !strings.HasSuffix(snaps[0], " 0 1") || !strings.Contains(snaps[0], SnapshotPrefix+entry.ID) ||
		!strings.HasPrefix(snaps[1], "vim-cmd vmsvc/snapshot.remove ") {
		t.Errorf("snapshot commands: %q", snaps)
	}
	for _, want := range []string{`taking snapshot "` + SnapshotPrefix + entry.ID + `" of ` + src + " over SSH: the host's licence refuses API writes",
		"removing snapshot \"" + SnapshotPrefix + entry.ID + "\" of " + src + " over SSH"} {
		if !hasNote(notes, want) {
			t.Errorf("no note %q in %q", want, notes)
		}
	}
	if s := e.snapshots(t, src); len(s) != 0 {
		t.Errorf("snapshots left: %v", s)
	}
	if res, err := Verify(ctxT(t), e.d, entry.ID); err != nil || !res.OK {
		t.Fatalf("verify: %+v, %v", res, err)
	}

	n := len(shell.Commands())
	nic := cloudinit.NIC{Addresses: []string{"10.0.0.60/24"}, Gateway4: "10.0.0.1"}
	var rr RestoreResult
	notes, err = runOp(t, func(ctx context.Context) (err error) {
		rr, err = Restore(ctx, e.d, RestoreRequest{ID: entry.ID, AsNew: "web-restored", NICs: []cloudinit.NIC{nic}, PowerOn: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	folder := "/vmfs/volumes/datastore1/web-restored/"
	wantCommands(t, shell.Commands()[n:],
		"mkdir "+folder[:len(folder)-1],
		"vmkfstools -i "+folder+"web-restored-ceso-upload-0.vmdk -d thin "+folder+"web-restored.vmdk",
		"vmkfstools -U "+folder+"web-restored-ceso-upload-0.vmdk",
		`sh -c 'set -C; cat > "$1"' sh `+folder+"web-restored.vmx",
		"vim-cmd solo/registervm "+folder+"web-restored.vmx",
		"vim-cmd vmsvc/power.on ")
	for _, want := range []string{"the host's licence refuses the OVF import", "making folder [datastore1] web-restored over SSH",
		"importing disk " + src + "-disk-0.vmdk as [datastore1] web-restored/web-restored.vmdk over SSH", "creating VM web-restored over SSH",
		"powering on web-restored over SSH"} {
		if !hasNote(notes, want) {
			t.Errorf("no note %q in %q", want, notes)
		}
	}
	if got := e.flat(t, "web-restored"); !bytes.Equal(got, original) {
		t.Fatalf("restored disk: %d bytes, sha %s; original %d bytes, sha %s", len(got), sha(got), len(original), sha(original))
	}
	e.checkNVRAM(t, "web-restored", nvram)
	e.checkFreeIdentity(t, rr, orig)
	if files := e.datastoreTree(t); files["web-restored/web-restored-ceso-upload-0.vmdk"] != 0 || files["web-restored/web-restored-ceso-upload-0-flat.vmdk"] != 0 {
		t.Errorf("the upload is left: %v", files)
	}
}

// TestFreeLicenceColdBackup: with --power-off on the free licence the
// guest is shut down and powered on again with vim-cmd.
func TestFreeLicenceColdBackup(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	shell := e.withShell(t)
	e.power(t, src, vm.PoweredOn, true)
	e.sim.SetFreeLicence(true)
	notes, err := runOp(t, func(ctx context.Context) error {
		_, err := Create(ctx, e.d, CreateRequest{VM: src, PowerOff: true, ShutdownTimeout: 10 * time.Second})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCommands(t, shell.Commands(), "vim-cmd vmsvc/power.shutdown ", "vim-cmd vmsvc/power.on ")
	if !hasNote(notes, "shutting down "+src+" over SSH") || !hasNote(notes, "powering on "+src+" over SSH") || e.powerState(t, src) != vm.PoweredOn {
		t.Errorf("notes %q", notes)
	}
}

// checkFreeIdentity checks the identity a restore over SSH gave
// web-restored: a new UUID, MAC address and instance-id, its host name and
// address, the source's other guestinfo.
func (e *env) checkFreeIdentity(t *testing.T, rr RestoreResult, orig map[string]string) {
	t.Helper()
	info, err := vm.GetInfo(ctxT(t), e.c, "web-restored")
	if err != nil {
		t.Fatal(err)
	}
	source, _ := vm.GetInfo(ctxT(t), e.c, src)
	s := cloudinit.Decode(info.ExtraConfig).Summary()
	if info.UUID == source.UUID || rr.UUID != info.UUID || info.NICs[0].MAC == source.NICs[0].MAC || info.PowerState != vm.PoweredOn ||
		s.InstanceID == "ceso-original" || s.InstanceID != rr.InstanceID || s.Hostname != "web-restored" ||
		len(s.NICs) != 1 || !slices.Equal(s.NICs[0].Addresses, []string{"10.0.0.60/24"}) || info.ExtraConfig["guestinfo.owner"] != orig["guestinfo.owner"] {
		t.Errorf("restored VM %+v\nguestinfo %+v\nresult %+v", info, s, rr)
	}
}

// wantCommands checks that each command begins as the next of prefixes.
func wantCommands(t *testing.T, got []string, prefixes ...string) {
	t.Helper()
	var match []string
	for _, c := range got {
		if len(match) < len(prefixes) && strings.HasPrefix(c, prefixes[len(match)]) {
			match = append(match, c)
		}
	}
	if len(match) != len(prefixes) {
		t.Errorf("commands %q lack, in order, %q", got, prefixes[len(match):])
	}
}

// TestFreeLicenceDryRun: the plans of a hot backup and of a restore on the
// free licence show the exact shell lines, and change nothing.
func TestFreeLicenceDryRun(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	shell := e.withShell(t)
	e.withGuestinfo(t, src)
	entry := e.backup(t, CreateRequest{})
	e.power(t, src, vm.PoweredOn, true)
	e.sim.SetFreeLicence(true)
	before, catalog := e.datastoreTree(t), e.mustList(t)

	steps, err := PlanCreate(ctxT(t), e.d, CreateRequest{VM: src})
	if err != nil {
		t.Fatal(err)
	}
	plan := actions(steps)
	for _, want := range []string{"[local] writes over SSH  # the host's licence refuses API writes",
		"[ssh] vim-cmd vmsvc/snapshot.create $vmid ceso-backup-", "' 0 1  # takes the snapshot; 1 as the last word: quiesced by VMware Tools; $vmid: ",
		`[ssh] vim-cmd vmsvc/snapshot.remove $vmid $snapshot  # $snapshot: the Snapshot Id of "ceso-backup-`} {
		if !strings.Contains(plan, want) {
			t.Errorf("backup plan lacks %q:\n%s", want, plan)
		}
	}
	steps, err = PlanRestore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "dry", NICs: []cloudinit.NIC{{Addresses: []string{"10.0.0.61/24"}}}, PowerOn: true})
	if err != nil {
		t.Fatal(err)
	}
	plan = actions(steps)
	folder := "/vmfs/volumes/datastore1/dry/"
	for _, want := range []string{"[ssh] mkdir " + folder[:len(folder)-1], "[api] PUT [datastore1] dry/dry-ceso-upload-0-flat.vmdk",
		"[api] PUT [datastore1] dry/dry-ceso-upload-0.vmdk", "[ssh] vmkfstools -i " + folder + "dry-ceso-upload-0.vmdk -d thin " + folder + "dry.vmdk",
		"[ssh] vmkfstools -U " + folder + "dry-ceso-upload-0.vmdk", "[api] PUT [datastore1] dry/dry.nvram",
		`[ssh] sh -c 'set -C; cat > "$1"' sh ` + folder + "dry.vmx  # writes the .vmx of dry: ",
		"[ssh] vim-cmd solo/registervm " + folder + "dry.vmx", "[ssh] vim-cmd vmsvc/power.on $vmid"} {
		if !strings.Contains(plan, want) {
			t.Errorf("restore plan lacks %q:\n%s", want, plan)
		}
	}
	again, _ := PlanRestore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "dry", NICs: []cloudinit.NIC{{Addresses: []string{"10.0.0.61/24"}}}, PowerOn: true})
	if actions(again) != plan {
		t.Errorf("two plans of one restore differ:\n%s\n%s", plan, actions(again))
	}
	if c := shell.Commands(); len(c) != 0 {
		t.Errorf("the dry runs ran %q", c)
	}
	if after := e.datastoreTree(t); !mapsEqual(after, before) {
		t.Errorf("the dry runs changed the datastore:\n%v\n%v", before, after)
	}
	if after := e.mustList(t); len(after) != len(catalog) || len(e.snapshots(t, src)) != 0 {
		t.Errorf("the dry runs changed the catalog or the VM")
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestFreeLicenceWithoutShell: with the API only, a change the licence
// refuses says how to allow SSH.
func TestFreeLicenceWithoutShell(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	entry := e.backup(t, CreateRequest{})
	e.power(t, src, vm.PoweredOn, false)
	e.sim.SetFreeLicence(true)
	_, err := Create(ctxT(t), e.d, CreateRequest{VM: src})
	if !errors.Is(err, client.ErrRestrictedVersion) || !strings.Contains(err.Error(), "esxi.transport to auto") {
		t.Fatalf("hot backup over the API only: %v", err)
	}
	_, err = Restore(ctxT(t), e.d, RestoreRequest{ID: entry.ID, AsNew: "nope"})
	if !errors.Is(err, client.ErrRestrictedVersion) || !strings.Contains(err.Error(), "esxi.transport to auto") {
		t.Fatalf("restore over the API only: %v", err)
	}
}

// TestDryRunOfADatastoreTargetShowsItsShellLines: on the free licence a
// backup's plan shows the datastore target's folder and rename as the
// shell lines the run would use (mkdir -p, mv -n), runs none of them and
// changes nothing; on a licensed host the same plan keeps them on the API.
func TestDryRunOfADatastoreTargetShowsItsShellLines(t *testing.T) {
	e := newEnv(t, esxisim.Options{})
	shell := e.withShell(t)
	ds, err := target.NewSet(nil, "", func(context.Context) (*client.Client, error) { return e.c, nil }).
		WithShell(e.d.Shell, false).Get(ctxT(t), target.DatastoreTarget(e.sim.Datastore()))
	if err != nil {
		t.Fatal(err)
	}
	e.d.Targets = target.Single(ds)
	folder := "/vmfs/volumes/" + e.sim.Datastore() + "/ceso-backups/" + src + "/"
	for _, free := range []bool{true, false} {
		e.sim.SetFreeLicence(free)
		before := e.datastoreTree(t)
		steps, err := PlanCreate(ctxT(t), e.d, CreateRequest{VM: src})
		if err != nil {
			t.Fatal(err)
		}
		plan := actions(steps)
		for _, want := range []string{"[ssh] mkdir -p " + folder, "[ssh] mv -n " + folder} {
			if strings.Contains(plan, want) != free {
				t.Errorf("free=%v: plan has %q: %v\n%s", free, want, !free, plan)
			}
		}
		if !free && !strings.Contains(plan, "[api] rename [datastore1] ceso-backups/"+src+"/") {
			t.Errorf("licensed plan lacks the API rename:\n%s", plan)
		}
		if after := e.datastoreTree(t); len(after) != len(before) {
			t.Errorf("free=%v: the dry run changed the datastore", free)
		}
	}
	if c := shell.Commands(); len(c) != 0 {
		t.Errorf("the dry runs ran %q", c)
	}
}
