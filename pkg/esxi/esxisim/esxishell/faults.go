package esxishell

import (
	"fmt"
	"strings"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"
)

// faultMessages are the msg texts hostd prints for the faults the shell
// meets.
var faultMessages = map[string]string{
	"NotFound":              "The object or item referred to could not be found.",
	"AlreadyExists":         "The specified key, name, or identifier already exists.",
	"DuplicateName":         "The name already exists.",
	"ToolsUnavailable":      "Cannot complete operation because VMware Tools is not running in this virtual machine.",
	"TaskInProgress":        "The operation is not allowed in the current state.",
	"FileNotFound":          "File was not found",
	"FileAlreadyExists":     "Cannot complete the operation because the file or folder already exists",
	"NoDiskSpace":           "There is not enough space on the file system for the selected operation",
	"InvalidDatastorePath":  "Invalid datastore path.",
	"InvalidArgument":       "A specified parameter was not correct: ",
	"ManagedObjectNotFound": "The object has already been deleted or has not been completely created",
}

// vmodlFaults live in the vmodl.fault namespace; the others in vim.fault.
var vmodlFaults = map[string]bool{"InvalidArgument": true, "ManagedObjectNotFound": true, "NotSupported": true, "InvalidRequest": true}

// faultName is the type name of a vSphere fault: "InvalidPowerState".
func faultName(f types.BaseMethodFault) string {
	name := fmt.Sprintf("%T", f)
	return name[strings.LastIndexByte(name, '.')+1:]
}

// faultResult prints a fault block the way vim-cmd does, after prefix
// ("Power on failed") when there is one:
//
//	Power on failed: (vim.fault.InvalidPowerState) {
//	   faultCause = (vmodl.MethodFault) null,
//	   faultMessage = <unset>,
//	   requestedState = "poweredOn",
//	   existingState = "poweredOn",
//	   msg = "The attempted operation cannot be performed in the current state (Powered on)."
//	}
func faultResult(prefix string, f types.BaseMethodFault, msg string) result {
	name := faultName(f)
	ns := "vim.fault."
	if vmodlFaults[name] {
		ns = "vmodl.fault."
	}
	if msg == "" {
		msg = faultMessages[name]
	}
	var b strings.Builder
	if prefix != "" {
		b.WriteString(prefix + ": ")
	}
	fmt.Fprintf(&b, "(%s%s) {\n   faultCause = (vmodl.MethodFault) null, \n   faultMessage = <unset>, \n", ns, name)
	switch f := f.(type) {
	case *types.InvalidPowerState:
		fmt.Fprintf(&b, "   requestedState = %q, \n   existingState = %q, \n", f.RequestedState, f.ExistingState)
		if msg == "" {
			msg = fmt.Sprintf("The attempted operation cannot be performed in the current state (%s).", stateWords(f.ExistingState))
		}
	case *types.AlreadyExists:
		fmt.Fprintf(&b, "   name = %q, \n", f.Name)
		msg = fmt.Sprintf("The specified key, name, or identifier '%s' already exists.", f.Name)
	}
	fmt.Fprintf(&b, "   msg = \"%s\"\n}\n", msg)
	return result{stdout: b.String(), exit: 1}
}

// faultOf returns the vSphere fault err carries, or nil.
func faultOf(err error) types.BaseMethodFault {
	var f types.BaseMethodFault
	if _, ok := fault.As(err, &f); ok {
		return f
	}
	return nil
}

// callResult prints err of an API call as vim-cmd prints its fault: the
// fault block, or the error text when err carries no fault.
func callResult(prefix string, err error) result {
	if f := faultOf(err); f != nil {
		return faultResult(prefix, f, "")
	}
	if prefix == "" {
		return failed(err.Error()+"\n", 1)
	}
	return failed(prefix+": "+err.Error()+"\n", 1)
}

// stateWords is how hostd writes a power state in a message.
func stateWords(s types.VirtualMachinePowerState) string {
	switch s {
	case types.VirtualMachinePowerStatePoweredOn:
		return "Powered on"
	case types.VirtualMachinePowerStateSuspended:
		return "Suspended"
	}
	return "Powered off"
}
