package cmdutil

import (
	"context"
	"errors"

	"github.com/ceso/ceso/pkg/errkind"
)

// Exit codes of every ceso command. ExitCodeHelp documents them in
// `ceso --help`; the README lists them too.
const (
	ExitOK          = 0
	ExitError       = 1 // anything not classified below
	ExitUsage       = 2 // bad flags, arguments or input
	ExitConfig      = 3 // invalid configuration or unreadable secret
	ExitConnection  = 4 // host unreachable, certificate not trusted, login refused
	ExitNotFound    = 5 // VM, template, backup or file not found
	ExitRefused     = 6 // not allowed: sandbox, licence, power state, conflict
	ExitPartial     = 7 // a batch partly failed
	ExitTimeout     = 8 // a deadline passed
	ExitInterrupted = 130
)

// ExitCodeHelp is the exit-code table shown in `ceso --help`.
const ExitCodeHelp = `Exit codes:
  0    success
  1    error not classified below
  2    usage: bad flags, arguments or input
  3    configuration invalid or a secret unreadable
  4    connection or authentication: host unreachable, certificate not trusted, login refused
  5    not found: VM, template, backup or file
  6    refused: security mode, licence, power state, or a conflicting operation
  7    partial failure: some items of a batch failed
  8    timeout: the deadline (--timeout) passed
  130  interrupted`

// ExitCode maps an error to the process exit code, in one place.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	switch errkind.Of(err) {
	case errkind.Usage:
		return ExitUsage
	case errkind.Config:
		return ExitConfig
	case errkind.Connection, errkind.Auth:
		return ExitConnection
	case errkind.NotFound:
		return ExitNotFound
	case errkind.Refused:
		return ExitRefused
	case errkind.Partial:
		return ExitPartial
	case errkind.Timeout:
		return ExitTimeout
	case errkind.Canceled:
		return ExitInterrupted
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ExitTimeout
	}
	return ExitError
}

// FlagError marks a usage error found while parsing flags or arguments. A
// file a flag names that does not exist (--ssh-key, --cloud-config) keeps
// its kind: not found, exit code 5.
func FlagError(err error) error {
	if errkind.Of(err) == errkind.NotFound {
		return err
	}
	return errkind.Wrap(errkind.Usage, err)
}
