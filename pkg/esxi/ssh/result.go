package ssh

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Result is what a command left: its two output streams and its exit
// status.
type Result struct {
	Stdout     string
	Stderr     string
	ExitStatus int
}

// Output returns stdout followed by stderr, with a newline between them if
// stdout does not end in one. The parsers read this, since which stream the
// host writes a message to is not documented.
func (r Result) Output() string {
	switch {
	case r.Stderr == "":
		return r.Stdout
	case r.Stdout == "" || strings.HasSuffix(r.Stdout, "\n"):
		return r.Stdout + r.Stderr
	}
	return r.Stdout + "\n" + r.Stderr
}

// Err returns nil for a command that succeeded, the *Fault when the output
// holds a vim-cmd fault block, and an *ExitError for any other non-zero exit
// status. Use it for commands whose success prints nothing worth parsing
// (unregister, destroy, reload, mkdir, rm).
func (r Result) Err() error {
	if f := ParseFault(r.Output()); f != nil {
		return f
	}
	if r.ExitStatus != 0 {
		return r.exitError()
	}
	return nil
}

func (r Result) exitError() *ExitError {
	text := strings.TrimSpace(r.Stderr)
	if text == "" {
		text = strings.TrimSpace(r.Stdout)
	}
	return &ExitError{Status: r.ExitStatus, Text: clip(text)}
}

// ExitError is a command that exited with a non-zero status. It matches
// ErrCommandFailed with errors.Is.
type ExitError struct {
	Status int
	// Text is the command's error output (or its output, if it wrote
	// nothing to stderr), shortened.
	Text string
}

func (e *ExitError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("exit status %d", e.Status)
	}
	return fmt.Sprintf("exit status %d: %s", e.Status, e.Text)
}

// Is matches ErrCommandFailed.
func (e *ExitError) Is(target error) bool { return target == ErrCommandFailed }

// clip shortens s for an error message.
func clip(s string) string {
	const maxLen = 300
	if len(s) <= maxLen {
		return s
	}
	cut := maxLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
