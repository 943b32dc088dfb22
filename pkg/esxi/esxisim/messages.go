package esxisim

import (
	"fmt"
	"reflect"

	"github.com/vmware/govmomi/vim25/types"
)

// Fault texts a real ESXi sends, from public captures (see the project's
// ESXi reference samples). vcsim sends the type name or nothing instead.
const (
	msgRestrictedVersion = "Current license or ESXi version prohibits execution of the requested operation."
	msgNotSupported      = "The operation is not supported on the object."
	msgInvalidLogin      = "Cannot complete login due to an incorrect user name or password."
	msgToolsUnavailable  = "Cannot complete operation because VMware Tools is not running in this virtual machine."
	msgNotAuthenticated  = "The session is not authenticated."
	msgTaskInProgress    = "Another task is already in progress."
)

// faultText returns ESXi's text for a fault type; field reads a field of the
// fault (as named in the SOAP detail).
func faultText(kind string, field func(string) string) (string, bool) {
	switch kind {
	case "RestrictedVersion":
		return msgRestrictedVersion, true
	case "NotSupported":
		return msgNotSupported, true
	case "InvalidLogin":
		return msgInvalidLogin, true
	case "ToolsUnavailable":
		return msgToolsUnavailable, true
	case "NotAuthenticated":
		return msgNotAuthenticated, true
	case "TaskInProgress":
		return msgTaskInProgress, true
	case "InvalidPowerState":
		return "The attempted operation cannot be performed in the current state (" +
			powerStateText(field("existingState")) + ").", true
	case "DuplicateName":
		return fmt.Sprintf("The name '%s' already exists.", field("name")), true
	case "FileAlreadyExists":
		return fmt.Sprintf("Cannot complete the operation because the file or folder %s already exists", field("file")), true
	case "FileNotFound":
		return fmt.Sprintf("File %s was not found", field("file")), true
	case "InvalidDatastorePath":
		return fmt.Sprintf("Invalid datastore path '%s'.", field("datastorePath")), true
	case "NoDiskSpace", "InsufficientDiskSpace":
		return fmt.Sprintf("Insufficient disk space on datastore '%s'.", field("datastore")), true
	}
	return "", false
}

func powerStateText(state string) string {
	switch types.VirtualMachinePowerState(state) {
	case types.VirtualMachinePowerStatePoweredOn:
		return "Powered on"
	case types.VirtualMachinePowerStateSuspended:
		return "Suspended"
	default:
		return "Powered off"
	}
}

// faultMessage is the text of a fault object, used for task errors.
func faultMessage(f types.BaseMethodFault) string {
	kind := reflect.TypeOf(f).Elem().Name()
	text, ok := faultText(kind, func(name string) string { return structField(f, name) })
	if ok {
		return text
	}
	return kind
}

// structField reads a string field of a fault by its SOAP (lowerCamel) name,
// searching embedded structs.
func structField(f any, name string) string {
	v := reflect.ValueOf(f)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	return findField(v, name)
}

func findField(v reflect.Value, name string) string {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		fv := v.Field(i)
		if sf.Anonymous && fv.Kind() == reflect.Struct {
			if s := findField(fv, name); s != "" {
				return s
			}
			continue
		}
		if lowerFirst(sf.Name) != name {
			continue
		}
		switch x := fv.Interface().(type) {
		case string:
			return x
		case types.VirtualMachinePowerState:
			return string(x)
		}
	}
	return ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}
