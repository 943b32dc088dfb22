package ssh

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// VmkfstoolsError is an error text vmkfstools printed, such as "Failed to
// clone disk: There is not enough space on the file system for the selected
// operation (13).". errors.Is matches it against ErrCommandFailed and, by
// its code or text, ErrNoSpace, ErrLocked, ErrAlreadyExists or ErrNotFound.
type VmkfstoolsError struct {
	// Text is the error as printed, progress text removed.
	Text string
	// Code is the number in parentheses at its end.
	Code int
	kind error
}

func (e *VmkfstoolsError) Error() string { return "vmkfstools: " + e.Text }

// Unwrap returns the sentinels the error matches.
func (e *VmkfstoolsError) Unwrap() []error {
	if e.kind == nil {
		return []error{ErrCommandFailed}
	}
	return []error{e.kind, ErrCommandFailed}
}

var (
	// vmkfstoolsErrorText matches an error: a failure word and a numeric
	// code in parentheses at the end. It is not anchored at the start, as
	// an error may follow the progress text on the same line.
	vmkfstoolsErrorText = regexp.MustCompile(`(?i)(?:fail|error|unable|cannot|could not).*\(([0-9]+)\)\.?$`)

	// cloneProgress matches one progress update, "Clone: 42% done.".
	cloneProgress = regexp.MustCompile(`Clone: ([0-9]+)% done\.`)
)

// Error codes of vmkfstools (VMware's disk library and VMkernel status
// codes) as seen in its messages.
const (
	codeNotEnoughSpace = 13      // "There is not enough space on the file system …"
	codeLockFailed     = 16392   // "Failed to lock the file"
	codeNoSpaceLeft    = 1835017 // "No space left on device"
)

// ParseVmkfstools checks the output (both streams) and exit status of
// vmkfstools -i. It returns a *VmkfstoolsError for an error text, and an
// error wrapping ErrIncomplete when the copy ended without an error text
// but did not report 100% (ESXi 8.0b was seen stopping at 18% in silence)
// or exited non-zero: the destination must then be treated as incomplete.
func ParseVmkfstools(out string, exitStatus int) error {
	segments := strings.FieldsFunc(out, func(r rune) bool { return r == '\r' || r == '\n' })
	last := -1
	for _, seg := range segments {
		for _, m := range cloneProgress.FindAllStringSubmatch(seg, -1) {
			last, _ = strconv.Atoi(m[1])
		}
		text := strings.TrimSpace(cloneProgress.ReplaceAllString(seg, ""))
		if m := vmkfstoolsErrorText.FindStringSubmatch(text); m != nil {
			return newVmkfstoolsError(text, m[1])
		}
	}
	progress := "no progress"
	if last >= 0 {
		progress = fmt.Sprintf("progress stopped at %d%%", last)
	}
	switch {
	case exitStatus != 0:
		return fmt.Errorf("vmkfstools exited with status %d without an error text (%s): %w (%w)", exitStatus, progress, ErrIncomplete, ErrCommandFailed)
	case last != 100:
		return fmt.Errorf("vmkfstools ended without an error text (%s): %w", progress, ErrIncomplete)
	}
	return nil
}

func newVmkfstoolsError(text, code string) *VmkfstoolsError {
	e := &VmkfstoolsError{Text: clip(text)}
	e.Code, _ = strconv.Atoi(code)
	lower := strings.ToLower(text)
	switch {
	case e.Code == codeNotEnoughSpace || e.Code == codeNoSpaceLeft ||
		strings.Contains(lower, "not enough space") || strings.Contains(lower, "no space left"):
		e.kind = ErrNoSpace
	case e.Code == codeLockFailed || strings.Contains(lower, "lock"):
		e.kind = ErrLocked
	case strings.Contains(lower, "already exists"):
		e.kind = ErrAlreadyExists
	case strings.Contains(lower, "could not find") || strings.Contains(lower, "no such file"):
		e.kind = ErrNotFound
	}
	return e
}
