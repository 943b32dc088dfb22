package sshhost

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// TestDryRunRecordsTheExactCommands: a create's plan, step by step, runs
// nothing and shows the vmid the host will print as $vmid.
func TestDryRunRecordsTheExactCommands(t *testing.T) {
	r := &fakeRunner{}
	record, steps := recordSteps()
	p := New(r, Options{}).DryRun(record)
	ctx := context.Background()
	v := testVM("web01")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.MakeDir(ctx, "[datastore1] web01"))
	must(p.CopyDisk(ctx, "[datastore1] t/t.vmdk", "[datastore1] web01/web01.vmdk", "pvscsi"))
	ref, err := p.CreateVM(ctx, v)
	must(err)
	must(p.GrowDisk(ctx, ref, "[datastore1] web01/web01.vmdk", 1<<30))
	must(p.Power(ctx, ref, vm.PowerOn))
	must(p.Power(ctx, vm.VMRef{ID: "42", Name: "src"}, vm.PowerOff))
	id, err := p.CreateSnapshot(ctx, vm.VMRef{ID: "42", Name: "src"}, "ceso-clone-web01")
	must(err)
	must(p.RemoveSnapshot(ctx, vm.VMRef{ID: "42", Name: "src"}, id))
	must(p.RemoveSnapshot(ctx, vm.VMRef{ID: "vm-42", Name: "src"}, "42-snapshot-3"))
	must(p.Destroy(ctx, vm.VMRef{ID: "vm-7", Name: "old one"}))
	must(p.DeleteDisk(ctx, "[datastore1] web01/web01.vmdk"))
	must(p.DeleteDir(ctx, "[datastore1] web01"))
	if len(r.ran()) != 0 {
		t.Fatalf("a dry run ran %v", r.ran())
	}
	vmxContent, _ := VMX(v)
	want := []ops.Step{
		{Via: "ssh", Action: "mkdir /vmfs/volumes/datastore1/web01"},
		{Via: "ssh", Action: "vmkfstools -i /vmfs/volumes/datastore1/t/t.vmdk -d thin /vmfs/volumes/datastore1/web01/web01.vmdk"},
		{Via: "ssh", Action: ssh.Command{Argv: []string{"sh", "-c", ScriptWrite, "sh", "/vmfs/volumes/datastore1/web01/web01.vmx"}}.String(),
			Detail: fmt.Sprintf("writes the .vmx of web01: %d bytes on stdin, SHA-256 %x", len(vmxContent), sha256.Sum256(vmxContent))},
		{Via: "ssh", Action: "vim-cmd solo/registervm /vmfs/volumes/datastore1/web01/web01.vmx", Detail: "prints the new VM's vmid"},
		{Via: "ssh", Action: "vmkfstools -X 1048576k /vmfs/volumes/datastore1/web01/web01.vmdk", Detail: "grows to 1 GiB"},
		{Via: "ssh", Action: "vim-cmd vmsvc/reload $vmid", Detail: "makes hostd read the new size; $vmid: the number vim-cmd solo/registervm printed"},
		{Via: "ssh", Action: "vim-cmd vmsvc/power.on $vmid", Detail: "$vmid: the number vim-cmd solo/registervm printed"},
		{Via: "ssh", Action: "vim-cmd vmsvc/power.off 42"},
		{Via: "ssh", Action: "vim-cmd vmsvc/snapshot.create 42 ceso-clone-web01 'taken by ceso to copy the disks; removed when done' 0 0",
			Detail: "disks only: no memory, no quiescing"},
		{Via: "ssh", Action: "vim-cmd vmsvc/snapshot.get 42", Detail: "reads the new snapshot's id"},
		{Via: "ssh", Action: "vim-cmd vmsvc/snapshot.remove 42 $snapshot", Detail: `$snapshot: the Snapshot Id of "ceso-clone-web01" in vim-cmd vmsvc/snapshot.get`},
		{Via: "ssh", Action: "vim-cmd vmsvc/snapshot.remove $vmid 3", Detail: `$vmid: the Vmid of "src" in vim-cmd vmsvc/getallvms`},
		{Via: "ssh", Action: "vim-cmd vmsvc/destroy $vmid", Detail: `$vmid: the Vmid of "old one" in vim-cmd vmsvc/getallvms`},
		{Via: "ssh", Action: "vmkfstools -U /vmfs/volumes/datastore1/web01/web01.vmdk"},
		{Via: "ssh", Action: "rm -rf /vmfs/volumes/datastore1/web01"},
	}
	if len(*steps) != len(want) {
		t.Fatalf("%d steps:\n%s", len(*steps), ops.FormatPlan(*steps))
	}
	for i := range want {
		if (*steps)[i] != want[i] {
			t.Errorf("step %d:\n got %s\nwant %s", i+1, (*steps)[i], want[i])
		}
	}
	if (*steps)[2].Action != `sh -c 'set -C; cat > "$1"' sh /vmfs/volumes/datastore1/web01/web01.vmx` {
		t.Errorf("the .vmx write reads %.80s", (*steps)[2].Action)
	}
	// A plan of a plan is a plan.
	record2, steps2 := recordSteps()
	if err := p.DryRun(record2).Destroy(ctx, vm.VMRef{ID: "5"}); err != nil || len(*steps2) != 1 {
		t.Fatalf("nested dry run: %v, %v", err, *steps2)
	}
}

func TestDryRunUsesKnownVMIDs(t *testing.T) {
	h := New(&fakeRunner{}, Options{})
	h.remember(vm.VMRef{ID: "vm-15", Name: "web01"}, "15")
	record, steps := recordSteps()
	if err := h.DryRun(record).Power(context.Background(), vm.VMRef{ID: "vm-15", Name: "web01"}, vm.PowerOff); err != nil {
		t.Fatal(err)
	}
	if (*steps)[0].Action != "vim-cmd vmsvc/power.off 15" || (*steps)[0].Detail != "" {
		t.Fatalf("step = %+v", (*steps)[0])
	}
}

func TestDryRunRefusesWhatTheHostWould(t *testing.T) {
	record, steps := recordSteps()
	p := New(&fakeRunner{}, Options{}).DryRun(record)
	ctx := context.Background()
	errs := []error{
		p.MakeDir(ctx, "[ds]"),
		p.DeleteDir(ctx, "[ds] a/b"),
		p.CopyDisk(ctx, "[ds] a.vmdk", "[ds] a.vmdk", ""),
		p.DeleteDisk(ctx, "[ds] a.txt"),
		p.GrowDisk(ctx, vm.VMRef{ID: "1"}, "[ds] a.vmdk", -1),
		p.Power(ctx, vm.VMRef{ID: "1"}, "hibernate"),
		func() error { _, err := p.CreateVM(ctx, &vm.NewVM{Name: "x"}); return err }(),
		func() error { _, err := p.CreateSnapshot(ctx, vm.VMRef{ID: "1"}, ""); return err }(),
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d accepted", i)
		}
	}
	if len(*steps) != 0 {
		t.Fatalf("refused calls recorded steps: %v", *steps)
	}
}
