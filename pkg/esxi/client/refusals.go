package client

import (
	"errors"
	"sync"

	"github.com/vmware/govmomi/vim25/types"
)

// IsRestricted reports whether err is the host's RestrictedVersion
// refusal (the free licence refusing a write over the API), as govmomi
// returns it or as Classify wraps it.
func IsRestricted(err error) bool {
	return errors.Is(err, ErrRestrictedVersion) || IsFault(err, &types.RestrictedVersion{})
}

// Refusals is esxi.transport auto's memory: once the host has refused a
// write over the API with RestrictedVersion, the licence is known and the
// later writes go straight to SSH. The zero value is ready; it is safe for
// concurrent use.
type Refusals struct {
	mu      sync.Mutex
	refused bool
}

// Refused reports whether the host has refused a write over the API.
func (r *Refusals) Refused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

// Refuse records a refusal seen outside Try (a step that needs the
// refusal's own error).
func (r *Refusals) Refuse() {
	r.mu.Lock()
	r.refused = true
	r.mu.Unlock()
}

// Try runs api unless the host refused a write before. fallback reports
// that the write must be made over SSH instead: api was refused now (then
// first says whether it is the first refusal) or a write was refused
// before (api is not run). Otherwise err is api's own outcome.
func (r *Refusals) Try(api func() error) (fallback, first bool, err error) {
	if r.Refused() {
		return true, false, nil
	}
	if err := api(); !IsRestricted(err) {
		return false, false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	first, r.refused = !r.refused, true
	return true, first, nil
}
