package ssh

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// addSamples seeds a fuzzer with the output of every reference sample.
func addSamples(f *testing.F) {
	for _, name := range sampleFiles(f) {
		f.Add(loadVmkfstoolsSample(f, name))
	}
}

var (
	vmxVersion = regexp.MustCompile(`^vmx-[0-9]+$`)
	fileField  = regexp.MustCompile(`^\[[^\]]*\] \S.*\.vmx$`)
	allDigits  = regexp.MustCompile(`^[0-9]+$`)
)

func FuzzParseGetAllVMs(f *testing.F) {
	addSamples(f)
	f.Add(header + row("7", "web [prod]", "[SSD pool] web [prod]/web.vmx", "g", "vmx-19", "a") + "\nb\n")
	f.Fuzz(func(t *testing.T, out string) {
		vms, err := ParseGetAllVMs(out)
		if err != nil {
			if vms != nil {
				t.Fatalf("error %v with %d VMs", err, len(vms))
			}
			return
		}
		for _, vm := range vms {
			if !allDigits.MatchString(vm.ID) {
				t.Errorf("vmid %q is not a number", vm.ID)
			}
			if vm.Name == "" || vm.Name != strings.TrimSpace(vm.Name) || strings.ContainsAny(vm.Name, "\n\r") {
				t.Errorf("bad name %q", vm.Name)
			}
			if !fileField.MatchString(vm.File) {
				t.Errorf("bad File %q", vm.File)
			}
			if !vmxVersion.MatchString(vm.Version) || strings.ContainsAny(vm.GuestOS, " \t\n") {
				t.Errorf("bad version %q or guest %q", vm.Version, vm.GuestOS)
			}
			if !strings.Contains(out, vm.ID) || !strings.Contains(out, vm.File) || !strings.Contains(out, vm.Name) {
				t.Errorf("VM %+v is not in the output", vm)
			}
		}
	})
}

func FuzzParseFault(f *testing.F) {
	addSamples(f)
	f.Add("x: (vim.fault.A) {\n   a = (b) {\n   }, \n   msg = \"m\"\"\n}\n")
	f.Fuzz(func(t *testing.T, out string) {
		flt := ParseFault(out)
		if flt == nil {
			return
		}
		if flt.Name == "" || !strings.HasSuffix(flt.Type, "."+flt.Name) || flt.Fields == nil {
			t.Fatalf("bad fault %#v", flt)
		}
		if flt.Msg != flt.Fields["msg"] {
			t.Errorf("Msg %q differs from the msg field %q", flt.Msg, flt.Fields["msg"])
		}
		if !strings.Contains(flt.Error(), flt.Name) {
			t.Errorf("Error() %q does not name the fault", flt.Error())
		}
	})
}

func FuzzParsePowerState(f *testing.F) {
	addSamples(f)
	f.Fuzz(func(t *testing.T, out string) {
		state, err := ParsePowerState(out)
		switch {
		case err != nil && state != "":
			t.Fatalf("state %q with error %v", state, err)
		case err == nil && state != PoweredOn && state != PoweredOff && state != Suspended:
			t.Fatalf("unknown state %q", state)
		}
		for _, op := range []PowerOp{PowerOpOn, PowerOpReset} {
			outcome, err := ClassifyPowerResult(op, Result{Stdout: out})
			if err != nil && outcome != 0 {
				t.Fatalf("outcome %v with error %v", outcome, err)
			}
		}
	})
}

func FuzzParseRegisterVM(f *testing.F) {
	addSamples(f)
	f.Fuzz(func(t *testing.T, out string) {
		vmid, err := ParseRegisterVM(out)
		if err == nil && CheckVMID(vmid) != nil {
			t.Fatalf("vmid %q accepted", vmid)
		}
	})
}

func FuzzParseVmkfstools(f *testing.F) {
	for _, name := range sampleFiles(f) {
		f.Add(loadVmkfstoolsSample(f, name), 0)
		f.Add(loadVmkfstoolsSample(f, name), 1)
	}
	f.Fuzz(func(t *testing.T, out string, exit int) {
		err := ParseVmkfstools(out, exit)
		if err == nil && (exit != 0 || !strings.Contains(out, "Clone: 100% done.")) {
			t.Fatalf("success without exit 0 and 100%%: exit %d", exit)
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error text")
		}
	})
}

func FuzzDatastorePath(f *testing.F) {
	for _, s := range []string{
		"[datastore1] dir/file.vmx", "[] /var/run/crx/x.vmx", "[ds]", "[ds] a/../b", "[a b] c//d/", "[ds]  x", "[ds] ./",
		"/vmfs/volumes/ds/x", "[]/x", "[x]y", "[ds] a/./b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		shell, err := DatastorePathToShell(p)
		if err == nil {
			checkShellPath(t, p, shell)
		}
		if back, err := ShellToDatastorePath(p); err == nil {
			again, err := DatastorePathToShell(back)
			if err != nil {
				t.Fatalf("%q -> %q does not parse back: %v", p, back, err)
			}
			if clean, _ := cleanPath(p); again != clean {
				t.Fatalf("%q -> %q -> %q, want %q", p, back, again, clean)
			}
		}
	})
}

// checkShellPath checks the shell path made of a datastore path: absolute,
// without "..", under /vmfs/volumes/<ds> for a named datastore, and the same
// again after a round trip through ShellToDatastorePath.
func checkShellPath(t *testing.T, p, shell string) {
	t.Helper()
	if !strings.HasPrefix(shell, "/") {
		t.Fatalf("%q -> %q is not absolute", p, shell)
	}
	for elem := range strings.SplitSeq(shell, "/") {
		if elem == ".." {
			t.Fatalf("%q -> %q holds ..", p, shell)
		}
	}
	dp, _ := ParseDatastorePath(p)
	if dp.Datastore != "" && shell != volumesDir+dp.Datastore && !strings.HasPrefix(shell, volumesDir+dp.Datastore+"/") {
		t.Fatalf("%q -> %q is not under its datastore", p, shell)
	}
	back, err := ShellToDatastorePath(shell)
	if err != nil {
		t.Fatalf("%q -> %q: %v", p, shell, err)
	}
	again, err := DatastorePathToShell(back)
	if err != nil || again != shell {
		t.Fatalf("%q -> %q -> %q -> %q, %v", p, shell, back, again, err)
	}
}

// FuzzQuote checks through the local POSIX shell that a quoted string comes
// back unchanged.
func FuzzQuote(f *testing.F) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		f.Skip("no sh on this machine")
	}
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			return
		}
		out, err := exec.Command(sh, "-c", Command{Argv: []string{"printf", "%s", s}}.String()).Output()
		if err != nil {
			t.Fatalf("sh: %v (line %s)", err, Quote(s))
		}
		if string(out) != s {
			t.Fatalf("got %q back, want %q", out, s)
		}
	})
}
