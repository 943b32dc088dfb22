package ssh

import (
	"fmt"
	"regexp"
	"strings"
)

// VM is one row of vim-cmd vmsvc/getallvms.
type VM struct {
	// ID is the vmid, the handle of every vim-cmd vmsvc command.
	ID string
	// Name is the VM's display name; it may hold blanks.
	Name string
	// File is the datastore path of the .vmx file: "[datastore1] vm/vm.vmx".
	File string
	// GuestOS is the guest id, such as "rhel8_64Guest"; it may be empty.
	GuestOS string
	// Version is the virtual hardware version, such as "vmx-14".
	Version string
	// Annotation is the VM's notes; it may span lines.
	Annotation string
}

// Path parses File.
func (v VM) Path() (DatastorePath, error) { return ParseDatastorePath(v.File) }

var (
	// getallvmsHeader matches the header line; its labels are centred over
	// the columns, so only their order is checked.
	getallvmsHeader = regexp.MustCompile(`^[ \t]*Vmid[ \t]+Name[ \t]+File[ \t]+Guest OS[ \t]+Version[ \t]+Annotation[ \t]*$`)

	// rowStart matches the vmid at the start of a row and the blanks after
	// it.
	rowStart = regexp.MustCompile(`^([0-9]+)[ \t]+`)

	// rowTail matches a row from its File field on: "[ds] ….vmx" (the
	// datastore may be empty or hold blanks), the guest id (no blanks, may
	// be missing), the hardware version and the first annotation line.
	rowTail = regexp.MustCompile(`^(\[[^\]]*\] \S.*?\.vmx)[ \t]+(?:(\S+)[ \t]+)?(vmx-[0-9]+)(?:[ \t]+(.*?))?[ \t]*$`)

	// skippedVM matches the line hostd prints for a VM it cannot load.
	skippedVM = regexp.MustCompile(`^[ \t]*Skipping invalid VM '([^']*)'[ \t]*$`)
)

// ParseGetAllVMs reads the output of vim-cmd vmsvc/getallvms. The table is
// not blank-separated data (names and datastores hold blanks, the header is
// centred, annotations span lines), so each row is found by its File field
// and the guest id and hardware version that follow it; a line that is not
// a row continues the annotation of the row above. "Skipping invalid VM"
// lines are left out (SkippedVMs lists them). VMs come in the order printed,
// which is the string order of their vmids (1, 11, 2). Output without the
// header is an error, a fault block is returned as a *Fault.
func ParseGetAllVMs(out string) ([]VM, error) {
	if f := ParseFault(out); f != nil {
		return nil, f
	}
	lines := strings.Split(out, "\n")
	start := -1
	for i, line := range lines {
		if getallvmsHeader.MatchString(strings.TrimRight(line, "\r")) {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("getallvms header not found in %q: %w", clip(out), ErrUnexpectedOutput)
	}
	vms := []VM{}
	cur := -1 // index of the row an annotation line continues
	for n, raw := range lines[start:] {
		line := strings.TrimRight(raw, " \t\r")
		if skippedVM.MatchString(line) {
			continue
		}
		if vm, ok := parseRow(line); ok {
			vms = append(vms, vm)
			cur = len(vms) - 1
			continue
		}
		if cur < 0 {
			if line == "" {
				continue
			}
			return nil, fmt.Errorf("getallvms line %d is not a VM row: %q: %w", start+n+1, clip(line), ErrUnexpectedOutput)
		}
		vms[cur].Annotation += "\n" + line
	}
	for i := range vms {
		vms[i].Annotation = strings.TrimRight(vms[i].Annotation, "\n")
	}
	return vms, nil
}

// parseRow reads one row. The name lies between the vmid and the File
// field; since a name may itself hold "[…] ….vmx", every "[" after a blank
// is tried as the File field's start, and the one after the longest run of
// blanks wins (columns are 3 blanks apart and padded; blanks inside a name
// are usually single), the leftmost on a tie.
func parseRow(line string) (VM, bool) {
	start := rowStart.FindStringSubmatch(line)
	if start == nil {
		return VM{}, false
	}
	nameFrom := len(start[0])
	var best VM
	bestGap := 0
	for i := nameFrom + 1; i < len(line); i++ {
		if line[i] != '[' || (line[i-1] != ' ' && line[i-1] != '\t') {
			continue
		}
		name := strings.TrimRight(line[nameFrom:i], " \t")
		gap := i - nameFrom - len(name)
		if name == "" || gap <= bestGap {
			continue
		}
		m := rowTail.FindStringSubmatch(line[i:])
		if m == nil {
			continue
		}
		best = VM{ID: start[1], Name: name, File: m[1], GuestOS: m[2], Version: m[3], Annotation: m[4]}
		bestGap = gap
	}
	return best, bestGap > 0
}

// SkippedVMs returns the vmids of the "Skipping invalid VM 'N'" lines of
// vim-cmd vmsvc/getallvms: VMs registered on the host that hostd cannot load
// (their files are gone or unreadable).
func SkippedVMs(out string) []string {
	var ids []string
	for line := range strings.Lines(out) {
		if m := skippedVM.FindStringSubmatch(strings.TrimRight(line, "\r\n")); m != nil {
			ids = append(ids, m[1])
		}
	}
	return ids
}
