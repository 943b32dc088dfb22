package ssh

import (
	"errors"
	"regexp"
	"strings"
)

// Fault is a vSphere fault as vim-cmd prints it:
//
//	Power on failed: (vim.fault.GenericVmConfigFault) {
//	   faultCause = (vmodl.MethodFault) null,
//	   …
//	   msg = "This host does not support AMD-V."
//	}
//
// It is an error; errors.Is matches it against the package's sentinels by
// its type (NotFound → ErrNotFound, InvalidPowerState →
// ErrInvalidPowerState …) and always against ErrCommandFailed.
type Fault struct {
	// Prefix is the text before the block on its first line, such as
	// "Power on failed" or "Reset failed"; empty if none.
	Prefix string
	// Type is the fault's full type, such as "vim.fault.InvalidPowerState".
	Type string
	// Name is the type without its namespace: "InvalidPowerState".
	Name string
	// Msg is the fault's msg field.
	Msg string
	// Fields holds the fault's own scalar fields (requestedState,
	// existingState, name, reason, msg …), quotes removed.
	Fields map[string]string
	// Messages holds the "message" texts of nested localizable messages
	// (faultMessage), in order: the detailed reasons of a config fault.
	Messages []string
}

// faultHeader matches the line opening a fault block, with an optional
// prefix ending in a colon.
var faultHeader = regexp.MustCompile(`^[ \t]*(?:(.*?):[ \t]*)?\(((?:[A-Za-z]\w*\.)+fault\.\w+|vmodl\.MethodFault|vmodl\.RuntimeFault)\)[ \t]*\{[ \t]*$`)

// ParseFault finds the first fault block in out and returns it, or nil if
// out holds none. Blocks cut short (no closing brace) are read as far as
// they go.
func ParseFault(out string) *Fault {
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		m := faultHeader.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		f := &Fault{
			Prefix: strings.TrimSpace(m[1]),
			Type:   m[2],
			Name:   m[2][strings.LastIndexByte(m[2], '.')+1:],
			Fields: map[string]string{},
		}
		f.readBody(lines[i+1:])
		f.Msg = f.Fields["msg"]
		return f
	}
	return nil
}

// readBody reads the fields of the block, tracking nesting by the lines
// that open ("… {", "… [") and close ("}", "],") a level. Quoted values may
// span lines and hold unescaped quotes: a value ends at a quote that ends
// its line (before an optional comma).
func (f *Fault) readBody(lines []string) {
	depth := 1
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			continue
		case line[0] == '}' || line[0] == ']':
			depth--
			if depth == 0 {
				return
			}
			continue
		}
		key, val, ok := strings.Cut(line, " = ")
		if !ok {
			if opensLevel(line) {
				depth++
			}
			continue
		}
		if strings.HasPrefix(val, `"`) {
			s := val[1:]
			for !closesString(s) && i+1 < len(lines) {
				i++
				s += "\n" + strings.TrimRight(lines[i], "\r")
			}
			f.record(depth, key, stringValue(s))
			continue
		}
		if opensLevel(val) {
			depth++
			continue
		}
		f.record(depth, key, strings.TrimSpace(strings.TrimSuffix(val, ",")))
	}
}

func (f *Fault) record(depth int, key, val string) {
	if depth == 1 {
		if _, dup := f.Fields[key]; !dup {
			f.Fields[key] = val
		}
		return
	}
	if key == "message" {
		f.Messages = append(f.Messages, val)
	}
}

// opensLevel reports whether a line opens a nested object or array.
func opensLevel(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasSuffix(s, "{") || strings.HasSuffix(s, "[")
}

// closesString reports whether the text after an opening quote ends the
// string on this line: it ends in a quote, maybe followed by a comma.
func closesString(s string) bool {
	t := strings.TrimRight(s, " \t\r")
	t = strings.TrimRight(strings.TrimSuffix(t, ","), " \t")
	return strings.HasSuffix(t, `"`)
}

// stringValue removes the closing quote and what follows it.
func stringValue(s string) string {
	t := strings.TrimRight(s, " \t\r")
	t = strings.TrimRight(strings.TrimSuffix(t, ","), " \t")
	return strings.TrimSuffix(t, `"`)
}

// Error says what failed and why, as the host said it.
func (f *Fault) Error() string {
	var b strings.Builder
	if f.Prefix != "" {
		b.WriteString(lowerFirst(f.Prefix))
		b.WriteString(": ")
	}
	b.WriteString(f.Name)
	msg := f.Msg
	if msg == "" && len(f.Messages) > 0 {
		msg = strings.Join(f.Messages, "; ")
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(strings.TrimSpace(msg))
	}
	return b.String()
}

// faultSentinels maps fault names to the package's sentinel errors.
var faultSentinels = map[string]error{
	"NotFound":              ErrNotFound,
	"ManagedObjectNotFound": ErrNotFound,
	"FileNotFound":          ErrNotFound,
	"AlreadyExists":         ErrAlreadyExists,
	"DuplicateName":         ErrAlreadyExists,
	"FileAlreadyExists":     ErrAlreadyExists,
	"InvalidPowerState":     ErrInvalidPowerState,
	"ToolsUnavailable":      ErrToolsUnavailable,
	"NoDiskSpace":           ErrNoSpace,
	"InsufficientDiskSpace": ErrNoSpace,
	"FileLocked":            ErrLocked,
	"TaskInProgress":        ErrBusy,
	"RestrictedVersion":     ErrRestrictedVersion,
	"InvalidDatastorePath":  ErrInvalidArgument,
	"InvalidArgument":       ErrInvalidArgument,
}

// Is matches the fault against the package's sentinel errors.
func (f *Fault) Is(target error) bool {
	if target == ErrCommandFailed {
		return true
	}
	s, ok := faultSentinels[f.Name]
	return ok && errors.Is(s, target)
}

// lowerFirst lower-cases the first letter, so that a host's "Power on
// failed" reads as the rest of a Go error message.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
