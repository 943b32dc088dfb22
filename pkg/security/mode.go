package security

import (
	"fmt"
	"strings"
)

// Mode is how much the sandbox lets run without a promotion or approval.
type Mode string

// Modes, from the most to the least restrictive.
const (
	// Restricted runs reads; writes and destructive operations only as
	// dry-run plans.
	Restricted Mode = "restricted"
	// Standard runs reads and writes; destructive operations need explicit
	// confirmation.
	Standard Mode = "standard"
	// Unrestricted runs everything, unclassified operations included.
	Unrestricted Mode = "unrestricted"
)

// ReadOnly is the former name of Restricted, still accepted.
const ReadOnly = "read-only"

// Class is how much an operation may change.
type Class string

// Classes, from the least to the most dangerous. Any other value is
// unclassified.
const (
	ClassRead        Class = "read"
	ClassWrite       Class = "write"
	ClassDestructive Class = "destructive"
)

func (c Class) known() bool {
	return c == ClassRead || c == ClassWrite || c == ClassDestructive
}

// ParseMode reads a mode name; "read-only" is Restricted.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.TrimSpace(s)); m {
	case Restricted, Standard, Unrestricted:
		return m, nil
	case ReadOnly:
		return Restricted, nil
	}
	return "", fmt.Errorf("%w: want restricted, standard or unrestricted, got %q", ErrUnknownMode, s)
}

func (m Mode) rank() int {
	switch m {
	case Standard:
		return 1
	case Unrestricted:
		return 2
	}
	return 0
}

// Above reports whether m lets more run than o.
func (m Mode) Above(o Mode) bool { return m.rank() > o.rank() }

// EffectiveMode returns the mode one command runs in. configMode is
// security.mode; requested is --mode or CESO_MODE ("" when neither is
// given); policyMax is the system policy's max_mode ("" when there is no
// policy). The configuration may not ask for more than the policy allows
// (ErrAbovePolicy), and requested may lower the mode but never raise it
// (ErrModeRaise).
func EffectiveMode(configMode, requested, policyMax string) (string, error) {
	cfg, err := ParseMode(configMode)
	if err != nil {
		return "", fmt.Errorf("security.mode: %w", err)
	}
	if policyMax != "" {
		max, err := ParseMode(policyMax)
		if err != nil {
			return "", fmt.Errorf("system policy max_mode: %w", err)
		}
		if cfg.Above(max) {
			return "", fmt.Errorf("%w: security.mode is %s but the system policy allows at most %s; lower security.mode (only the administrator can change the policy)", ErrAbovePolicy, cfg, max)
		}
	}
	if requested == "" {
		return string(cfg), nil
	}
	req, err := ParseMode(requested)
	if err != nil {
		return "", fmt.Errorf("--mode: %w", err)
	}
	if req.Above(cfg) {
		return "", fmt.Errorf("%w: %s asked for, the configuration allows %s; a flag or environment variable can lower the mode, never raise it", ErrModeRaise, req, cfg)
	}
	return string(req), nil
}
