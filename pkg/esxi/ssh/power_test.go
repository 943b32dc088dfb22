package ssh

import (
	"errors"
	"testing"
)

var powerStateSamples = map[string]struct {
	want    PowerState
	wantErr error
}{
	"vim-cmd_vmsvc_power.getstate.txt":            {want: PoweredOff},
	"vim-cmd_vmsvc_power.getstate.powered-on.txt": {want: PoweredOn},
	"vim-cmd_vmsvc_power.getstate.suspended.txt":  {want: Suspended},
	"vim-cmd_vmsvc_power.getstate.no-such-vm.txt": {wantErr: ErrNotFound},
}

func TestParsePowerStateSamples(t *testing.T) {
	for name, tt := range powerStateSamples {
		t.Run(name, func(t *testing.T) {
			got, err := ParsePowerState(loadSample(t, name))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("state = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParsePowerState(t *testing.T) {
	tests := []struct {
		out     string
		want    PowerState
		wantErr error
	}{
		{"Retrieved runtime info\nPowered On\n", PoweredOn, nil},
		{"Retrieved runtime info\nPowered Off\n", PoweredOff, nil},
		{"Retrieved runtime info\r\nSuspended\r\n", Suspended, nil},
		{"Retrieved runtime info\n", "", ErrUnexpectedOutput},
		{"", "", ErrUnexpectedOutput},
		{"Powered on by someone\n", "", ErrUnexpectedOutput},
	}
	for _, tt := range tests {
		t.Run(tt.out, func(t *testing.T) {
			got, err := ParsePowerState(tt.out)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("state = %q, want %q", got, tt.want)
			}
		})
	}
}

var powerResultSamples = map[string]struct {
	op      PowerOp
	want    PowerOutcome
	wantErr error
}{
	"vim-cmd_vmsvc_power.on.txt":                         {op: PowerOpOn, want: PowerDone},
	"vim-cmd_vmsvc_power.off.txt":                        {op: PowerOpOff, want: PowerDone},
	"vim-cmd_vmsvc_power.shutdown.txt":                   {op: PowerOpShutdown, want: PowerDone},
	"vim-cmd_vmsvc_power.on.already-on.esxi6.txt":        {op: PowerOpOn, want: PowerRecheck},
	"vim-cmd_vmsvc_power.off.already-off.esxi6.txt":      {op: PowerOpOff, want: PowerRecheck},
	"vim-cmd_vmsvc_power.on.already-on.older.txt":        {op: PowerOpOn, want: PowerAlreadyInState},
	"vim-cmd_vmsvc_power.off.already-off.older.txt":      {op: PowerOpOff, want: PowerAlreadyInState},
	"vim-cmd_vmsvc_power.off.out-of-space.esxi8.0u3.txt": {op: PowerOpOff, wantErr: ErrNoSpace},
	"vim-cmd_vmsvc_power.on.generic-vm-config-fault.txt": {op: PowerOpOn, wantErr: ErrCommandFailed},
	"vim-cmd_vmsvc_power.reset.invalid-power-state.txt":  {op: PowerOpReset, wantErr: ErrInvalidPowerState},
}

func TestClassifyPowerResultSamples(t *testing.T) {
	for name, tt := range powerResultSamples {
		t.Run(name, func(t *testing.T) {
			got, err := ClassifyPowerResult(tt.op, Result{Stdout: loadSample(t, name)})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("outcome = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClassifyPowerResult(t *testing.T) {
	invalidState := func(prefix, existing string) string {
		return prefix + "(vim.fault.InvalidPowerState) {\n   faultCause = (vmodl.MethodFault) null, \n" +
			"   requestedState = \"poweredOn\", \n   existingState = \"" + existing + "\"\n" +
			"   msg = \"The attempted operation cannot be performed in the current state.\"\n}\n"
	}
	tests := []struct {
		name    string
		op      PowerOp
		r       Result
		want    PowerOutcome
		wantErr error
	}{
		{"shutdown of an off VM", PowerOpShutdown, Result{Stdout: invalidState("Shutdown failed: ", "poweredOff"), ExitStatus: 1}, PowerAlreadyInState, nil},
		{"suspend of a suspended VM", PowerOpSuspend, Result{Stdout: invalidState("Suspend failed: ", "suspended")}, PowerAlreadyInState, nil},
		{"suspend of an off VM", PowerOpSuspend, Result{Stdout: invalidState("Suspend failed: ", "poweredOff")}, 0, ErrInvalidPowerState},
		{"on, state only in msg", PowerOpOn, Result{Stdout: "(vim.fault.InvalidPowerState) {\n   msg = \"… (Powered on).\"\n}\n"}, PowerAlreadyInState, nil},
		{"shutdown without tools", PowerOpShutdown, Result{Stderr: "(vim.fault.ToolsUnavailable) {\n   msg = \"Cannot complete operation because VMware Tools is not running in this virtual machine.\"\n}\n", ExitStatus: 1}, 0, ErrToolsUnavailable},
		{"bare failure of reset", PowerOpReset, Result{Stdout: "Reset VM:\nReset failed\n"}, 0, ErrCommandFailed},
		{"failure with a text", PowerOpOn, Result{Stdout: "Powering on VM:\nPower on failed: hostd is busy\n"}, 0, ErrCommandFailed},
		{"exit status only", PowerOpOn, Result{Stderr: "sh: vim-cmd: not found\n", ExitStatus: 127}, 0, ErrCommandFailed},
		{"reboot done", PowerOpReboot, Result{}, PowerDone, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ClassifyPowerResult(tt.op, tt.r)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("outcome = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPowerOp(t *testing.T) {
	for _, tt := range []struct {
		op     PowerOp
		target PowerState
		ok     bool
	}{
		{PowerOpOn, PoweredOn, true}, {PowerOpOff, PoweredOff, true}, {PowerOpShutdown, PoweredOff, true},
		{PowerOpSuspend, Suspended, true}, {PowerOpReset, "", false}, {PowerOpReboot, "", false},
	} {
		target, ok := tt.op.Target()
		if target != tt.target || ok != tt.ok {
			t.Errorf("%s.Target() = %q, %v; want %q, %v", tt.op, target, ok, tt.target, tt.ok)
		}
	}
	for o, s := range map[PowerOutcome]string{PowerDone: "done", PowerAlreadyInState: "already in state", PowerRecheck: "recheck", 7: "PowerOutcome(7)"} {
		if o.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(o), o.String(), s)
		}
	}
}
