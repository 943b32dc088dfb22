package operations

import "github.com/ceso/ceso/pkg/cloudinit"

// PlannedInstanceID stands, in the plan of a create or a clone, for the
// instance-id the run makes. The run makes a new random one; a plan that
// showed a random one of its own (the guestinfo in the .vmx written over
// SSH) would differ every time, and no approval of it could ever match.
const PlannedInstanceID = "ceso-new-instance-id"

// planned is s as a plan shows it: the instance-id the run will make is
// PlannedInstanceID.
func planned(s cloudinit.Spec) cloudinit.Spec {
	if s.InstanceID == "" {
		s.InstanceID = PlannedInstanceID
	}
	return s
}
