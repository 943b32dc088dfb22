package ssh

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseFaultGenericVMConfigFault(t *testing.T) {
	f := ParseFault(loadSample(t, "vim-cmd_vmsvc_power.on.generic-vm-config-fault.txt"))
	if f == nil {
		t.Fatal("no fault found")
	}
	want := &Fault{
		Prefix: "Power on failed",
		Type:   "vim.fault.GenericVmConfigFault",
		Name:   "GenericVmConfigFault",
		Msg:    "This host does not support AMD-V.",
		Fields: map[string]string{
			"faultCause": "(vmodl.MethodFault) null",
			"reason":     "This host does not support AMD-V.",
			"msg":        "This host does not support AMD-V.",
		},
		Messages: []string{
			"This host does not support AMD-V.",
			"This host appears to be running in a virtual machine with VHV disabled. Ensure that VHV is enabled in the virtual machine configuration file.",
			"Module 'MonitorMode' power on failed.\n",
			"Failed to start the virtual machine.",
		},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got  %#v\nwant %#v", f, want)
	}
	if got, w := f.Error(), "power on failed: GenericVmConfigFault: This host does not support AMD-V."; got != w {
		t.Errorf("Error() = %q, want %q", got, w)
	}
	if errors.Is(f, ErrInvalidPowerState) || !errors.Is(f, ErrCommandFailed) {
		t.Error("GenericVmConfigFault must match ErrCommandFailed only")
	}
}

func TestParseFaultSamples(t *testing.T) {
	tests := []struct {
		sample string
		want   Fault
		is     error
	}{
		{"vim-cmd_vmsvc_power.reset.invalid-power-state.txt", Fault{Prefix: "Reset failed", Type: "vim.fault.InvalidPowerState", Name: "InvalidPowerState",
			Msg: "The attempted operation cannot be performed in the current state (Powered off)."}, ErrInvalidPowerState},
		{"vim-cmd_vmsvc_power.getstate.no-such-vm.txt", Fault{Type: "vim.fault.NotFound", Name: "NotFound",
			Msg: `Unable to find a VM corresponding to "2"`}, ErrNotFound},
		{"vim-cmd_vmsvc_unregister.not-registered.txt", Fault{Type: "vim.fault.NotFound", Name: "NotFound",
			Msg: `Unable to find a VM corresponding to "/vmfs/volumes/nfs-datastore/vm-ark-mcnc-9_234-v12/vm-ark-mcnc-9_234-v12.vmx"`}, ErrNotFound},
		{"vim-cmd_solo_registervm.already-exists.txt", Fault{Type: "vim.fault.AlreadyExists", Name: "AlreadyExists",
			Msg: "The specified key, name, or identifier '51' already exists."}, ErrAlreadyExists},
		{"vim-cmd_vmsvc_power.on.already-on.older.txt", Fault{Type: "vim.fault.InvalidPowerState", Name: "InvalidPowerState",
			Msg: "The attempted operation cannot be performed in the current state (Powered On)."}, ErrInvalidPowerState},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			f := ParseFault(loadSample(t, tt.sample))
			if f == nil {
				t.Fatal("no fault found")
			}
			if f.Prefix != tt.want.Prefix || f.Type != tt.want.Type || f.Name != tt.want.Name || f.Msg != tt.want.Msg {
				t.Errorf("got %+v\nwant %+v", *f, tt.want)
			}
			if !errors.Is(f, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", f, tt.is)
			}
		})
	}
}

func TestParseFaultFields(t *testing.T) {
	f := ParseFault(loadSample(t, "vim-cmd_vmsvc_power.reset.invalid-power-state.txt"))
	if f.Fields["requestedState"] != "poweredOn" || f.Fields["existingState"] != "poweredOff" {
		t.Errorf("fields = %q", f.Fields)
	}
	f = ParseFault(loadSample(t, "vim-cmd_solo_registervm.already-exists.txt"))
	if f.Fields["name"] != "51" {
		t.Errorf("name = %q, want 51", f.Fields["name"])
	}
}

func TestParseFaultShapes(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want *Fault
	}{
		{"none", "Powering on VM:\n", nil},
		{"empty", "", nil},
		{"nested fault cause and vmodl namespace",
			"Destroy failed: (vmodl.fault.SystemError) {\n   faultCause = (vim.fault.FileLocked) {\n      msg = \"inner\"\n   }, \n" +
				"   reason = \"locked\", \n   msg = \"outer { with [ brackets\"\n}\n",
			&Fault{Prefix: "Destroy failed", Type: "vmodl.fault.SystemError", Name: "SystemError", Msg: "outer { with [ brackets",
				Fields: map[string]string{"reason": "locked", "msg": "outer { with [ brackets"}}},
		{"message spanning lines with a brace line",
			"(vim.fault.TaskInProgress) {\n   msg = \"first\n}\nlast\"\n}\n",
			&Fault{Type: "vim.fault.TaskInProgress", Name: "TaskInProgress", Msg: "first\n}\nlast",
				Fields: map[string]string{"msg": "first\n}\nlast"}}},
		{"unterminated block",
			"(vim.fault.RestrictedVersion) {\n   msg = \"Current license or ESXi version prohibits execution of the requested operation.\"\n",
			&Fault{Type: "vim.fault.RestrictedVersion", Name: "RestrictedVersion", Msg: "Current license or ESXi version prohibits execution of the requested operation.",
				Fields: map[string]string{"msg": "Current license or ESXi version prohibits execution of the requested operation."}}},
		{"unterminated string", "(vim.fault.NotFound) {\n   msg = \"never closed\n",
			&Fault{Type: "vim.fault.NotFound", Name: "NotFound", Msg: "never closed\n", Fields: map[string]string{"msg": "never closed\n"}}},
		{"no msg, only messages",
			"(vim.fault.GenericVmConfigFault) {\n   faultMessage = (vmodl.LocalizableMessage) [\n      (vmodl.LocalizableMessage) {\n         message = \"a\"\n      }\n   ]\n}\n",
			&Fault{Type: "vim.fault.GenericVmConfigFault", Name: "GenericVmConfigFault", Fields: map[string]string{}, Messages: []string{"a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseFault(tt.out)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestFaultSentinels(t *testing.T) {
	tests := map[string]error{
		"NotFound": ErrNotFound, "ManagedObjectNotFound": ErrNotFound, "FileNotFound": ErrNotFound,
		"AlreadyExists": ErrAlreadyExists, "DuplicateName": ErrAlreadyExists, "FileAlreadyExists": ErrAlreadyExists,
		"InvalidPowerState": ErrInvalidPowerState, "ToolsUnavailable": ErrToolsUnavailable,
		"NoDiskSpace": ErrNoSpace, "InsufficientDiskSpace": ErrNoSpace, "FileLocked": ErrLocked,
		"TaskInProgress": ErrBusy, "RestrictedVersion": ErrRestrictedVersion,
		"InvalidDatastorePath": ErrInvalidArgument, "InvalidArgument": ErrInvalidArgument,
	}
	for name, want := range tests {
		f := &Fault{Name: name}
		if !errors.Is(f, want) || !errors.Is(f, ErrCommandFailed) {
			t.Errorf("%s does not match %v", name, want)
		}
		if errors.Is(f, ErrUnexpectedOutput) {
			t.Errorf("%s matches ErrUnexpectedOutput", name)
		}
	}
	if errors.Is(&Fault{Name: "NotFound"}, ErrAlreadyExists) {
		t.Error("NotFound matches ErrAlreadyExists")
	}
}

func TestFaultError(t *testing.T) {
	tests := []struct {
		f    Fault
		want string
	}{
		{Fault{Name: "NotFound"}, "NotFound"},
		{Fault{Name: "NotFound", Msg: " gone "}, "NotFound: gone"},
		{Fault{Prefix: "Reset failed", Name: "InvalidPowerState", Msg: "m"}, "reset failed: InvalidPowerState: m"},
		{Fault{Prefix: "x", Name: "GenericVmConfigFault", Messages: []string{"a", "b"}}, "x: GenericVmConfigFault: a; b"},
	}
	for _, tt := range tests {
		if got := tt.f.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
