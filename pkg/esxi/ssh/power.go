package ssh

import (
	"fmt"
	"regexp"
	"strings"
)

// PowerState is a VM's power state, named as the vSphere API names it.
type PowerState string

// The power states vim-cmd vmsvc/power.getstate reports.
const (
	PoweredOn  PowerState = "poweredOn"
	PoweredOff PowerState = "poweredOff"
	Suspended  PowerState = "suspended"
)

// PowerOp is a vim-cmd power operation: the part after "power.".
type PowerOp string

// The power operations of vim-cmd vmsvc.
const (
	PowerOpOn       PowerOp = "on"
	PowerOpOff      PowerOp = "off"
	PowerOpShutdown PowerOp = "shutdown"
	PowerOpReset    PowerOp = "reset"
	PowerOpSuspend  PowerOp = "suspend"
	PowerOpReboot   PowerOp = "reboot"
)

func (op PowerOp) valid() bool {
	switch op {
	case PowerOpOn, PowerOpOff, PowerOpShutdown, PowerOpReset, PowerOpSuspend, PowerOpReboot:
		return true
	}
	return false
}

// Target is the power state the operation leads to, and false for the
// operations (reset, reboot) after which the VM is in the state it was in.
func (op PowerOp) Target() (PowerState, bool) {
	switch op {
	case PowerOpOn:
		return PoweredOn, true
	case PowerOpOff, PowerOpShutdown:
		return PoweredOff, true
	case PowerOpSuspend:
		return Suspended, true
	}
	return "", false
}

// powerStateLine matches the state line of power.getstate. Older hosts
// capitalise the second word ("Powered On").
var powerStateLine = regexp.MustCompile(`(?i)^\s*(powered on|powered off|suspended)\s*$`)

// ParsePowerState reads the output of vim-cmd vmsvc/power.getstate:
// "Retrieved runtime info" and then "Powered on", "Powered off" or
// "Suspended". A fault block (an unknown vmid) is returned as a *Fault,
// which matches ErrNotFound and the other sentinels with errors.Is.
func ParsePowerState(out string) (PowerState, error) {
	if f := ParseFault(out); f != nil {
		return "", f
	}
	for line := range strings.Lines(out) {
		m := powerStateLine.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if m == nil {
			continue
		}
		switch strings.ToLower(m[1]) {
		case "powered on":
			return PoweredOn, nil
		case "powered off":
			return PoweredOff, nil
		default:
			return Suspended, nil
		}
	}
	return "", fmt.Errorf("power state not found in %q: %w", clip(out), ErrUnexpectedOutput)
}

// PowerOutcome says what a power operation did.
type PowerOutcome int

// The outcomes ClassifyPowerResult tells apart.
const (
	// PowerDone: the host accepted the operation.
	PowerDone PowerOutcome = iota
	// PowerAlreadyInState: the host refused because the VM already is in
	// the state the operation leads to (fault InvalidPowerState).
	PowerAlreadyInState
	// PowerRecheck: the host printed "Power on failed" (or off …) with no
	// reason, as ESXi 6.0 and 6.5 do for a VM already in the state — and
	// sometimes when the operation did succeed. Ask power.getstate.
	PowerRecheck
)

func (o PowerOutcome) String() string {
	switch o {
	case PowerDone:
		return "done"
	case PowerAlreadyInState:
		return "already in state"
	case PowerRecheck:
		return "recheck"
	}
	return fmt.Sprintf("PowerOutcome(%d)", int(o))
}

// failureLine matches "Power on failed", "Reset failed", "Suspend failed",
// alone or followed by a reason that is not a fault block.
var failureLine = regexp.MustCompile(`(?m)^[ \t]*([A-Z][A-Za-z ]*?) failed(?:[ \t]*:[ \t]*(.*?))?[ \t\r]*$`)

// outOfSpace matches the question a VM stuck on a full datastore asks.
var outOfSpace = regexp.MustCompile(`msg\.hbacommon\.outofspace|There is no more space for virtual disk`)

// ClassifyPowerResult reads the result of a power operation (vim-cmd
// vmsvc/power.*). A fault whose existing state is the operation's target is
// PowerAlreadyInState; a bare "… failed" line is PowerRecheck for operations
// with a target state; other faults and non-zero exit statuses are errors
// (a *Fault or an error wrapping ErrCommandFailed, ErrNoSpace …).
func ClassifyPowerResult(op PowerOp, r Result) (PowerOutcome, error) {
	out := r.Output()
	if f := ParseFault(out); f != nil {
		target, ok := op.Target()
		if ok && f.Is(ErrInvalidPowerState) && faultExistingState(f) == target {
			return PowerAlreadyInState, nil
		}
		return 0, fmt.Errorf("power.%s: %w", op, f)
	}
	if outOfSpace.MatchString(out) {
		return 0, fmt.Errorf("power.%s: the VM waits on a full datastore: %w", op, ErrNoSpace)
	}
	if m := failureLine.FindStringSubmatch(out); m != nil {
		if m[2] != "" {
			return 0, fmt.Errorf("power.%s: %s failed: %s: %w", op, m[1], m[2], ErrCommandFailed)
		}
		if _, ok := op.Target(); ok {
			return PowerRecheck, nil
		}
		return 0, fmt.Errorf("power.%s: %s failed without a reason: %w", op, m[1], ErrCommandFailed)
	}
	if r.ExitStatus != 0 {
		return 0, fmt.Errorf("power.%s: %w", op, r.exitError())
	}
	return PowerDone, nil
}

// faultExistingState reads existingState of an InvalidPowerState fault, or
// the "(Powered On)" at the end of its message when the field is missing.
func faultExistingState(f *Fault) PowerState {
	switch strings.ToLower(f.Fields["existingState"]) {
	case "poweredon":
		return PoweredOn
	case "poweredoff":
		return PoweredOff
	case "suspended":
		return Suspended
	}
	msg := strings.ToLower(f.Msg)
	switch {
	case strings.Contains(msg, "(powered on)"):
		return PoweredOn
	case strings.Contains(msg, "(powered off)"):
		return PoweredOff
	case strings.Contains(msg, "(suspended)"):
		return Suspended
	}
	return ""
}
