package ssh

import (
	"fmt"
	"strings"
)

// ParseRegisterVM reads the output of vim-cmd solo/registervm: the new VM's
// vmid on a line of its own. A fault block is returned as a *Fault
// (AlreadyExists, with the existing vmid in Fields["name"], matches
// ErrAlreadyExists; a missing .vmx matches ErrNotFound).
func ParseRegisterVM(out string) (string, error) {
	if f := ParseFault(out); f != nil {
		return "", f
	}
	last := ""
	for line := range strings.Lines(out) {
		if t := strings.TrimSpace(line); t != "" {
			last = t
		}
	}
	if CheckVMID(last) != nil {
		return "", fmt.Errorf("registervm printed no vmid: %q: %w", clip(out), ErrUnexpectedOutput)
	}
	return last, nil
}
