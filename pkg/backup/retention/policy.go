package retention

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Unlimited as a count keeps the newest backup of every bucket of that kind
// (every backup, for KeepLast).
const Unlimited = -1

// Policy says which backups of a VM to keep. Each count is 0 (rule off), a
// positive number of buckets, or Unlimited.
type Policy struct {
	// KeepLast keeps the newest N complete backups.
	KeepLast int `json:"keep_last"`
	// KeepDaily keeps the newest complete backup of each of the last N days
	// that have one.
	KeepDaily int `json:"keep_daily"`
	// KeepWeekly keeps the newest complete backup of each of the last N ISO
	// weeks that have one.
	KeepWeekly int `json:"keep_weekly"`
	// KeepMonthly keeps the newest complete backup of each of the last N
	// calendar months that have one.
	KeepMonthly int `json:"keep_monthly"`
	// KeepYearly keeps the newest complete backup of each of the last N
	// calendar years that have one.
	KeepYearly int `json:"keep_yearly"`
	// Location is the time zone whose calendar defines days, weeks, months
	// and years. Nil means UTC.
	Location *time.Location `json:"-"`
}

// rule is one counting rule of a policy, in the order reasons are reported.
type rule struct {
	name  string // "last", "daily", …
	flag  string // the option name shown in errors
	count int
}

func (p Policy) rules() []rule {
	return []rule{
		{"last", "keep-last", p.KeepLast},
		{"daily", "keep-daily", p.KeepDaily},
		{"weekly", "keep-weekly", p.KeepWeekly},
		{"monthly", "keep-monthly", p.KeepMonthly},
		{"yearly", "keep-yearly", p.KeepYearly},
	}
}

// Validate reports whether the policy can be applied: no count below -1, and
// at least one count not zero.
func (p Policy) Validate() error {
	var errs []error
	empty := true
	for _, r := range p.rules() {
		if r.count < Unlimited {
			errs = append(errs, fmt.Errorf("%s is %d: %w", r.flag, r.count, ErrInvalidCount))
		}
		if r.count != 0 {
			empty = false
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if empty {
		return ErrEmptyPolicy
	}
	return nil
}

// String describes the policy in words, e.g.
// "keep 3 last, 7 daily, all monthly backups (days in UTC)".
func (p Policy) String() string {
	var parts []string
	for _, r := range p.rules() {
		switch {
		case r.count == Unlimited:
			parts = append(parts, "all "+r.name)
		case r.count > 0:
			parts = append(parts, fmt.Sprintf("%d %s", r.count, r.name))
		}
	}
	if len(parts) == 0 {
		return "keep nothing"
	}
	return fmt.Sprintf("keep %s backups (days in %s)", strings.Join(parts, ", "), p.location())
}

func (p Policy) location() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}
