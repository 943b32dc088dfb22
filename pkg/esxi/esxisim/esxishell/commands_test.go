package esxishell

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/sshhost"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/vmware/govmomi/vim25/types"
)

// vmidOfName finds a VM's vmid in getallvms.
func (e *env) vmidOfName(t *testing.T, name string) string {
	t.Helper()
	vms, err := ssh.ParseGetAllVMs(e.must(t, "vim-cmd vmsvc/getallvms"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vms {
		if v.Name == name {
			return v.ID
		}
	}
	t.Fatalf("no VM %q", name)
	return ""
}

func TestPowerCommands(t *testing.T) {
	e := newEnv(t)
	id := e.vmidOfName(t, template)
	state := func() ssh.PowerState {
		t.Helper()
		s, err := ssh.ParsePowerState(e.must(t, "vim-cmd vmsvc/power.getstate "+id))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if state() != ssh.PoweredOff {
		t.Fatal("template not off")
	}
	if out := e.must(t, "vim-cmd vmsvc/power.on "+id); out != "Powering on VM:\n" || state() != ssh.PoweredOn {
		t.Fatalf("power.on printed %q", out)
	}
	// Already on: the fault block says so, and the parser reads it as such.
	out, _, exit := e.exec(t, "vim-cmd vmsvc/power.on "+id)
	outcome, err := ssh.ClassifyPowerResult(ssh.PowerOpOn, ssh.Result{Stdout: out, ExitStatus: exit})
	if err != nil || outcome != ssh.PowerAlreadyInState || !strings.HasPrefix(out, "Powering on VM:\nPower on failed: (vim.fault.InvalidPowerState) {") {
		t.Fatalf("second power.on: %v %v\n%s", outcome, err, out)
	}
	// No tools: a guest shutdown is refused.
	out, _, _ = e.exec(t, "vim-cmd vmsvc/power.shutdown "+id)
	if _, err := ssh.ClassifyPowerResult(ssh.PowerOpShutdown, ssh.Result{Stdout: out, ExitStatus: 1}); !errors.Is(err, ssh.ErrToolsUnavailable) {
		t.Fatalf("shutdown without tools: %v\n%s", err, out)
	}
	e.must(t, "vim-cmd vmsvc/power.suspend "+id)
	if state() != ssh.Suspended {
		t.Fatal("not suspended")
	}
	e.must(t, "vim-cmd vmsvc/power.on "+id)
	e.must(t, "vim-cmd vmsvc/power.reset "+id)
	e.must(t, "vim-cmd vmsvc/power.off "+id)
	if state() != ssh.PoweredOff {
		t.Fatal("not off")
	}
	// The API is still refused: the shell acted as the host's own tools.
	if _, err := vm.Power(t.Context(), e.c, template, vm.PowerOn, vm.PowerOptions{}); err == nil {
		t.Fatal("the API powered on a VM on the free licence")
	}
	for _, line := range []string{"vim-cmd vmsvc/power.on 999", "vim-cmd vmsvc/power.getstate 999", "vim-cmd vmsvc/power.on x"} {
		out, _, exit := e.exec(t, line)
		if f := ssh.ParseFault(out); f == nil || !f.Is(ssh.ErrNotFound) || exit == 0 {
			t.Errorf("%s: exit %d\n%s", line, exit, out)
		}
	}
	for _, line := range []string{"vim-cmd vmsvc/power.on", "vim-cmd vmsvc/power.hibernate " + id, "vim-cmd", "vim-cmd vmsvc/destroy"} {
		if _, _, exit := e.exec(t, line); exit == 0 {
			t.Errorf("%s succeeded", line)
		}
	}
}

// TestRegisterVMFromItsVMX: the .vmx sshhost writes registers as the VM it
// describes.
func TestRegisterVMFromItsVMX(t *testing.T) {
	e := newEnv(t)
	ds := e.sim.Datastore()
	src := "/vmfs/volumes/" + ds + "/" + template + "/" + template + ".vmdk"
	e.must(t, "mkdir '/vmfs/volumes/"+ds+"/web 01'")
	out := e.must(t, ssh.Command{Argv: []string{"vmkfstools", "-i", src, "-d", "thin", "/vmfs/volumes/" + ds + "/web 01/web 01.vmdk"}}.String())
	if err := ssh.ParseVmkfstools(out, 0); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	v := &vm.NewVM{
		Name: "web 01", Path: "[" + ds + "] web 01/web 01.vmx", Datastore: ds,
		Hardware: vm.Hardware{GuestID: "rhel9_64Guest", Firmware: "efi", Version: "vmx-19", CPU: 4, CoresPerSocket: 2, MemoryMB: 4096,
			SecureBoot: true, Controllers: []vm.Controller{{Kind: "pvscsi"}}},
		Disks:       []vm.DiskAttachment{{Path: "[" + ds + "] web 01/web 01.vmdk"}},
		NICs:        []vm.NetworkAdapter{{Kind: "vmxnet3", Network: "VM Network"}, {Kind: "e1000e", Network: "VM Network"}},
		ExtraConfig: map[string]string{"guestinfo.note": `a "quoted" | value`, "disk.EnableUUID": "TRUE"},
	}
	content, err := sshhost.VMX(v)
	if err != nil {
		t.Fatal(err)
	}
	write := ssh.Command{Argv: []string{"sh", "-c", sshhost.ScriptWrite, "sh", "/vmfs/volumes/" + ds + "/web 01/web 01.vmx"}}.String()
	if out, errOut, exit := e.execIn(t, write, string(content)); exit != 0 {
		t.Fatalf("writing the .vmx: %d %s%s", exit, out, errOut)
	}
	reg := ssh.Command{Argv: []string{"vim-cmd", "solo/registervm", "/vmfs/volumes/" + ds + "/web 01/web 01.vmx"}}.String()
	vmid, err := ssh.ParseRegisterVM(e.must(t, reg))
	if err != nil {
		t.Fatal(err)
	}
	if id := e.vmidOfName(t, "web 01"); id != vmid {
		t.Fatalf("registered as %s, listed as %s", vmid, id)
	}
	info, err := vm.GetInfo(t.Context(), e.c, "web 01")
	if err != nil {
		t.Fatal(err)
	}
	if info.CPU != 4 || info.MemoryMB != 4096 || info.GuestOS != "rhel9_64Guest" || info.Firmware != "efi" || info.HardwareVersion != "vmx-19" ||
		len(info.Disks) != 1 || info.Disks[0].Path != "[datastore1] web 01/web 01.vmdk" || info.Disks[0].CapacityBytes != 2<<20 ||
		len(info.NICs) != 2 || info.NICs[1].Type != "e1000e" || info.NICs[0].Network != "VM Network" || info.NICs[0].MAC == "" ||
		info.ExtraConfig["guestinfo.note"] != `a "quoted" | value` || info.ExtraConfig["disk.EnableUUID"] != "TRUE" {
		t.Fatalf("registered VM: %+v", info)
	}
	if _, ok := info.ExtraConfig["numvcpus"]; ok {
		t.Error("hardware settings leaked into extraConfig")
	}
	// The .vmx on the datastore is the one written, not the simulator's.
	back, err := os.ReadFile(filepath.Join(e.sim.DatastoreDir(), "web 01", "web 01.vmx"))
	if err != nil || string(back) != string(content) {
		t.Fatalf(".vmx after registration (%v):\n%s", err, back)
	}
	// A second registration of the same file names the first.
	out, _, _ = e.exec(t, reg)
	if _, err := ssh.ParseRegisterVM(out); !errors.Is(err, ssh.ErrAlreadyExists) || !strings.Contains(out, `name = "`+vmid+`"`) {
		t.Fatalf("second registration: %v\n%s", err, out)
	}
	// The .vmx cannot be written twice.
	_, stderr, exit := e.execIn(t, ssh.Command{Argv: []string{"sh", "-c", sshhost.ScriptWrite, "sh", "/vmfs/volumes/" + ds + "/web 01/web 01.vmx"}}.String(), "x")
	if exit == 0 || !strings.Contains(stderr, "File exists") {
		t.Fatalf("overwrite: exit %d %q", exit, stderr)
	}
	e.must(t, "vim-cmd vmsvc/unregister "+vmid)
	if _, err := vm.GetInfo(t.Context(), e.c, "web 01"); !errors.Is(err, vm.ErrNotFound) {
		t.Fatalf("after unregister: %v", err)
	}
}

func TestRegisterVMFailures(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.sim.DatastoreDir(), "bad")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("syntax.vmx", "displayName \"x\"\n")
	write("nodisk.vmx", "displayName = \"nodisk\"\nscsi0.present = \"TRUE\"\nscsi0.virtualDev = \"pvscsi\"\nscsi0:0.fileName = \"gone.vmdk\"\n")
	write("nonet.vmx", "displayName = \"nonet\"\nethernet0.present = \"TRUE\"\nethernet0.virtualDev = \"vmxnet3\"\nethernet0.networkName = \"nope\"\n")
	write("ctrl.vmx", "displayName = \"ctrl\"\nscsi0.present = \"TRUE\"\nscsi0.virtualDev = \"weird\"\n")
	write("cpu.vmx", "displayName = \"cpu\"\nnumvcpus = \"many\"\n")
	tests := []struct {
		file string
		want error
	}{
		{"missing.vmx", ssh.ErrNotFound},
		{"syntax.vmx", ssh.ErrCommandFailed},
		{"nodisk.vmx", ssh.ErrCommandFailed},
		{"nonet.vmx", ssh.ErrCommandFailed},
		{"ctrl.vmx", ssh.ErrCommandFailed},
		{"cpu.vmx", ssh.ErrCommandFailed},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, _, exit := e.exec(t, "vim-cmd solo/registervm /vmfs/volumes/datastore1/bad/"+tt.file)
			if _, err := ssh.ParseRegisterVM(out); !errors.Is(err, tt.want) || exit == 0 {
				t.Fatalf("exit %d, %v\n%s", exit, err, out)
			}
		})
	}
	// A minimal .vmx registers with the defaults.
	write("min.vmx", "displayName = \"min\"\nguestOS = \"no-such-os\"\n")
	if _, err := ssh.ParseRegisterVM(e.must(t, "vim-cmd solo/registervm /vmfs/volumes/datastore1/bad/min.vmx")); err != nil {
		t.Fatal(err)
	}
	info, err := vm.GetInfo(t.Context(), e.c, "min")
	if err != nil || info.CPU != 1 || info.GuestOS != string(types.VirtualMachineGuestOsIdentifierOtherGuest) {
		t.Fatalf("minimal VM: %+v, %v", info, err)
	}
	if _, _, exit := e.exec(t, "vim-cmd solo/registervm"); exit == 0 {
		t.Error("registervm without a path succeeded")
	}
}
