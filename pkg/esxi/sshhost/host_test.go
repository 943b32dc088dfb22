package sshhost

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
)

// TestCommandLines checks the exact line each change runs, with names no
// shell may interpret.
func TestCommandLines(t *testing.T) {
	const hostile = "web 01 $(reboot) `id` it's"
	ref := vm.VMRef{ID: "42", Name: hostile}
	getstateOn := map[string]ssh.Result{"vim-cmd vmsvc/power.getstate 42": {Stdout: "Retrieved runtime info\nPowered on\n"}}
	tests := []struct {
		name  string
		table map[string]ssh.Result
		call  func(context.Context, *Host) error
		want  []string
	}{
		{"mkdir", nil, func(ctx context.Context, h *Host) error { return h.MakeDir(ctx, "[datastore1] "+hostile) },
			[]string{`mkdir '/vmfs/volumes/datastore1/web 01 $(reboot) ` + "`id`" + ` it'\''s'`}},
		{"rm", nil, func(ctx context.Context, h *Host) error { return h.DeleteDir(ctx, "[datastore 2] web01") },
			[]string{`rm -rf '/vmfs/volumes/datastore 2/web01'`}},
		{"clone", map[string]ssh.Result{
			"vmkfstools -i /vmfs/volumes/datastore1/t/t.vmdk -d thin '/vmfs/volumes/datastore1/a b/a b.vmdk'": {Stdout: "Clone: 100% done.\n"},
		}, func(ctx context.Context, h *Host) error {
			return h.CopyDisk(ctx, "[datastore1] t/t.vmdk", "[datastore1] a b/a b.vmdk", "pvscsi")
		}, []string{"vmkfstools -i /vmfs/volumes/datastore1/t/t.vmdk -d thin '/vmfs/volumes/datastore1/a b/a b.vmdk'"}},
		{"delete disk", nil, func(ctx context.Context, h *Host) error { return h.DeleteDisk(ctx, "[datastore1] a b/a b.vmdk") },
			[]string{"vmkfstools -U '/vmfs/volumes/datastore1/a b/a b.vmdk'"}},
		{"grow", nil, func(ctx context.Context, h *Host) error {
			return h.GrowDisk(ctx, ref, "[datastore1] w/w.vmdk", 20<<30+1)
		}, []string{"vmkfstools -X 20971521k /vmfs/volumes/datastore1/w/w.vmdk", "vim-cmd vmsvc/reload 42"}},
		{"power on", map[string]ssh.Result{"vim-cmd vmsvc/power.on 42": {Stdout: "Powering on VM:\n"}},
			func(ctx context.Context, h *Host) error { return h.Power(ctx, ref, vm.PowerOn) }, []string{"vim-cmd vmsvc/power.on 42"}},
		{"shutdown", nil, func(ctx context.Context, h *Host) error { return h.Power(ctx, ref, vm.PowerShutdown) },
			[]string{"vim-cmd vmsvc/power.shutdown 42"}},
		{"power on, bare failure, now on", map[string]ssh.Result{
			"vim-cmd vmsvc/power.on 42":       {Stdout: "Powering on VM:\nPower on failed\n", ExitStatus: 1},
			"vim-cmd vmsvc/power.getstate 42": getstateOn["vim-cmd vmsvc/power.getstate 42"],
		}, func(ctx context.Context, h *Host) error { return h.Power(ctx, ref, vm.PowerOn) },
			[]string{"vim-cmd vmsvc/power.on 42", "vim-cmd vmsvc/power.getstate 42"}},
		{"destroy", nil, func(ctx context.Context, h *Host) error { return h.Destroy(ctx, ref) }, []string{"vim-cmd vmsvc/destroy 42"}},
		{"snapshot", map[string]ssh.Result{
			"vim-cmd vmsvc/snapshot.get 42": {Stdout: "Get Snapshot:\n|-ROOT\n--Snapshot Name        : ceso-clone-x\n--Snapshot Id        : 7\n"},
		}, func(ctx context.Context, h *Host) error {
			id, err := h.CreateSnapshot(ctx, ref, "ceso-clone-x")
			if err == nil && id != "7" {
				t.Errorf("snapshot id = %q", id)
			}
			if err == nil {
				err = h.RemoveSnapshot(ctx, ref, "42-snapshot-7")
			}
			return err
		}, []string{
			"vim-cmd vmsvc/snapshot.create 42 ceso-clone-x 'taken by ceso to copy the disks; removed when done' 0 0",
			"vim-cmd vmsvc/snapshot.get 42",
			"vim-cmd vmsvc/snapshot.remove 42 7",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRunner{answer: responder(tt.table)}
			if err := tt.call(context.Background(), New(r, Options{})); err != nil {
				t.Fatal(err)
			}
			wantLines(t, r.ran(), tt.want)
		})
	}
}

// TestFaultsMapToTheAPISentinels: what the host prints becomes the error
// the API path returns for the same cause.
func TestFaultsMapToTheAPISentinels(t *testing.T) {
	ref := vm.VMRef{ID: "42", Name: "web01"}
	notFound := "(vim.fault.NotFound) {\n   faultCause = (vmodl.MethodFault) null, \n   msg = \"Unable to find a VM corresponding to \"42\"\"\n}\n"
	tests := []struct {
		name string
		res  ssh.Result
		call func(context.Context, *Host) error
		want error
	}{
		{"disk copy on a full datastore", ssh.Result{Stderr: "Failed to clone disk: There is not enough space on the file system for the selected operation (13).\n", ExitStatus: 1},
			func(ctx context.Context, h *Host) error { return h.CopyDisk(ctx, "[ds] a/a.vmdk", "[ds] b/b.vmdk", "") }, client.ErrNoDiskSpace},
		{"disk copy that stopped", ssh.Result{Stdout: "Clone: 18% done.", ExitStatus: 0},
			func(ctx context.Context, h *Host) error { return h.CopyDisk(ctx, "[ds] a/a.vmdk", "[ds] b/b.vmdk", "") }, ssh.ErrIncomplete},
		{"disk to delete is gone", ssh.Result{Stderr: "Failed to delete virtual disk: Could not find the file (600).\n", ExitStatus: 1},
			func(ctx context.Context, h *Host) error { return h.DeleteDisk(ctx, "[ds] a/a.vmdk") }, client.ErrNotFound},
		{"destroy of an unknown vmid", ssh.Result{Stdout: notFound, ExitStatus: 1},
			func(ctx context.Context, h *Host) error { return h.Destroy(ctx, ref) }, client.ErrNotFound},
		{"folder exists", ssh.Result{Stderr: "mkdir: can't create directory '/vmfs/volumes/ds/a': File exists\n", ExitStatus: 1},
			func(ctx context.Context, h *Host) error { return h.MakeDir(ctx, "[ds] a") }, client.ErrAlreadyExists},
		{"shutdown without tools", ssh.Result{Stdout: "(vim.fault.ToolsUnavailable) {\n   msg = \"Cannot complete operation because VMware Tools is not running in this virtual machine.\"\n}\n", ExitStatus: 1},
			func(ctx context.Context, h *Host) error { return h.Power(ctx, ref, vm.PowerShutdown) }, client.ErrToolsUnavailable},
		{"reset of a VM that is off", ssh.Result{Stdout: "Reset failed: (vim.fault.InvalidPowerState) {\n   requestedState = \"poweredOn\", \n   existingState = \"poweredOff\", \n   msg = \"The attempted operation cannot be performed in the current state (Powered off).\"\n}\n", ExitStatus: 1},
			func(ctx context.Context, h *Host) error { return h.Power(ctx, ref, vm.PowerReset) }, client.ErrInvalidPowerState},
		{"destroy of a running VM", ssh.Result{Stdout: "(vim.fault.InvalidPowerState) {\n   requestedState = \"poweredOff\", \n   existingState = \"poweredOn\", \n   msg = \"The attempted operation cannot be performed in the current state (Powered on).\"\n}\n", ExitStatus: 1},
			func(ctx context.Context, h *Host) error { return h.Destroy(ctx, ref) }, client.ErrInvalidPowerState},
		{"snapshot of a VM being changed", ssh.Result{Stdout: "(vim.fault.TaskInProgress) {\n   msg = \"The operation is not allowed in the current state.\"\n}\n", ExitStatus: 1},
			func(ctx context.Context, h *Host) error { _, err := h.CreateSnapshot(ctx, ref, "s"); return err }, client.ErrTaskInProgress},
		{"unknown command", ssh.Result{Stderr: "sh: vim-cmd: not found\n", ExitStatus: 127},
			func(ctx context.Context, h *Host) error { return h.Destroy(ctx, ref) }, ssh.ErrCommandFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRunner{answer: func([]string) (ssh.Result, error) { return tt.res, nil }}
			err := tt.call(context.Background(), New(r, Options{}))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestPowerAlreadyInStateIsDone(t *testing.T) {
	ref := vm.VMRef{ID: "42", Name: "web01"}
	already := "Powering on VM:\n(vim.fault.InvalidPowerState) {\n   requestedState = \"poweredOn\",\n   existingState = \"poweredOn\",\n   msg = \"The attempted operation cannot be performed in the current state (Powered On).\"\n}\n"
	r := &fakeRunner{answer: func([]string) (ssh.Result, error) { return ssh.Result{Stdout: already, ExitStatus: 1}, nil }}
	if err := New(r, Options{}).Power(context.Background(), ref, vm.PowerOn); err != nil {
		t.Fatalf("power on of a VM already on: %v", err)
	}
	// A bare failure after which the VM is still off is an error.
	r = &fakeRunner{answer: responder(map[string]ssh.Result{
		"vim-cmd vmsvc/power.on 42":       {Stdout: "Power on failed\n", ExitStatus: 1},
		"vim-cmd vmsvc/power.getstate 42": {Stdout: "Retrieved runtime info\nPowered off\n"},
	})}
	if err := New(r, Options{}).Power(context.Background(), ref, vm.PowerOn); !errors.Is(err, client.ErrInvalidPowerState) {
		t.Fatalf("err = %v, want ErrInvalidPowerState", err)
	}
	if err := New(r, Options{}).Power(context.Background(), ref, vm.PowerOp("hibernate")); !errors.Is(err, vm.ErrInvalidSpec) {
		t.Fatalf("unknown op: %v", err)
	}
}

// TestConnectionErrorsLeaveTheOutcomeUnknown: a broken connection is a
// Connection error, so the lifecycle keeps the step's undo.
func TestConnectionErrorsLeaveTheOutcomeUnknown(t *testing.T) {
	r := &fakeRunner{answer: func([]string) (ssh.Result, error) { return ssh.Result{}, ssh.ErrClosed }}
	err := New(r, Options{}).MakeDir(context.Background(), "[ds] a")
	if errkind.Of(err) != errkind.Connection || !errors.Is(err, ssh.ErrClosed) {
		t.Fatalf("err = %v (kind %v)", err, errkind.Of(err))
	}
}

func TestInvalidArgumentsRunNothing(t *testing.T) {
	r := &fakeRunner{}
	h := New(r, Options{})
	ctx := context.Background()
	calls := map[string]error{
		"mkdir of a datastore root": h.MakeDir(ctx, "[ds]"),
		"rm of a nested folder":     h.DeleteDir(ctx, "[ds] a/b"),
		"copy to a non-disk":        h.CopyDisk(ctx, "[ds] a/a.vmdk", "[ds] a/a.txt", ""),
		"delete of a non-disk":      h.DeleteDisk(ctx, "[ds] a/.vmdk"),
		"grow to nothing":           h.GrowDisk(ctx, vm.VMRef{ID: "1"}, "[ds] a/a.vmdk", 0),
		"remove a bad snapshot":     h.RemoveSnapshot(ctx, vm.VMRef{ID: "1"}, "snap; reboot"),
		"snapshot with a bad name":  func() error { _, err := h.CreateSnapshot(ctx, vm.VMRef{ID: "1"}, "-x"); return err }(),
	}
	for name, err := range calls {
		if !errors.Is(err, ssh.ErrInvalidArgument) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument", name, err)
		}
	}
	if len(r.ran()) != 0 {
		t.Fatalf("commands ran: %v", r.ran())
	}
}

func TestParseSnapshots(t *testing.T) {
	out := "Get Snapshot:\n|-ROOT\n--Snapshot Name        : base\n--Snapshot Id        : 5\n--Snapshot Desciption  : 0\n" +
		"--Snapshot Created On  : 12/17/2022 15:34:49\n--Snapshot State       : powered on\n" +
		"--|-CHILD\n----Snapshot Name        : child: a\n----Snapshot Id        : 6\n----Snapshot Desciption  : \n"
	snaps, err := ParseSnapshots(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []Snapshot{{Name: "base", ID: "5", Description: "0", Depth: 1}, {Name: "child: a", ID: "6", Depth: 2}}
	if len(snaps) != 2 || snaps[0] != want[0] || snaps[1] != want[1] {
		t.Fatalf("snapshots = %+v", snaps)
	}
	if snaps, err := ParseSnapshots("Get Snapshot:\n"); err != nil || len(snaps) != 0 {
		t.Fatalf("none: %v, %v", snaps, err)
	}
	if _, err := ParseSnapshots("garbage"); !errors.Is(err, ErrUnexpectedOutput) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := ParseSnapshots("(vim.fault.NotFound) {\n   msg = \"x\"\n}\n"); !errors.Is(err, ssh.ErrNotFound) {
		t.Fatalf("fault: %v", err)
	}
}

func TestSnapshotID(t *testing.T) {
	for in, want := range map[string]string{"7": "7", "42-snapshot-7": "7", "snapshot-12": "12"} {
		if got, err := snapshotID(in); err != nil || got != want {
			t.Errorf("snapshotID(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "x", "snapshot-", "07", "1-snapshot-x"} {
		if _, err := snapshotID(in); err == nil {
			t.Errorf("snapshotID(%q) accepted", in)
		}
	}
}

func TestSnapshotMissingAfterCreate(t *testing.T) {
	r := &fakeRunner{answer: responder(map[string]ssh.Result{"vim-cmd vmsvc/snapshot.get 3": {Stdout: "Get Snapshot:\n"}})}
	_, err := New(r, Options{}).CreateSnapshot(context.Background(), vm.VMRef{ID: "3", Name: "x"}, "s")
	if !errors.Is(err, client.ErrNotFound) || !strings.Contains(err.Error(), "snapshot.get") {
		t.Fatalf("err = %v", err)
	}
}
