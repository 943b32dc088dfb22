package client

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func TestRefusals(t *testing.T) {
	var r Refusals
	other := errors.New("no space")
	calls := 0
	fail := func(err error) func() error { return func() error { calls++; return err } }

	if fb, first, err := r.Try(fail(nil)); fb || first || err != nil {
		t.Fatalf("a write that worked: %v %v %v", fb, first, err)
	}
	if fb, _, err := r.Try(fail(other)); fb || !errors.Is(err, other) {
		t.Fatalf("another error: %v %v", fb, err)
	}
	raw := soap.WrapVimFault(&types.RestrictedVersion{})
	if fb, first, err := r.Try(fail(raw)); !fb || !first || err != nil || !r.Refused() {
		t.Fatalf("the first refusal: %v %v %v", fb, first, err)
	}
	before := calls
	if fb, first, _ := r.Try(fail(nil)); !fb || first || calls != before {
		t.Fatalf("after a refusal the API is not tried: %v %v, %d calls", fb, first, calls-before)
	}
	for _, err := range []error{raw, Classify(raw), fmt.Errorf("step: %w", ErrRestrictedVersion)} {
		if !IsRestricted(err) {
			t.Errorf("IsRestricted(%v) = false", err)
		}
	}
	if IsRestricted(other) || IsRestricted(nil) {
		t.Error("IsRestricted of another error")
	}
	var seen Refusals
	seen.Refuse()
	if fb, first, _ := seen.Try(fail(nil)); !seen.Refused() || !fb || first {
		t.Fatalf("a refusal recorded outside Try: %v %v", fb, first)
	}
}
