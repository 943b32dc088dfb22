package vmx

import (
	"strings"
	"sync"

	"github.com/vmware/govmomi/vim25/types"
)

// guestOSExceptions are guest ids whose .vmx name does not follow the rule
// of GuestOS.
var guestOSExceptions = map[string]string{
	"otherGuest":            "other",
	"otherGuest64":          "other-64",
	"winLonghornGuest":      "longhorn",
	"winLonghorn64Guest":    "longhorn-64",
	"windows7Server64Guest": "windows7srv-64",
	"windows8Server64Guest": "windows8srv-64",
	"windows9Server64Guest": "windows9srv-64",
}

// GuestOS returns the guestOS value a .vmx uses for a vSphere API guest
// id: the id without "Guest", in lower case, with a 64-bit suffix ("64" or
// "_64") written "-64". ubuntu64Guest is ubuntu-64, rhel9_64Guest is
// rhel9-64, otherLinux64Guest is otherlinux-64; a few ids (otherGuest,
// the Windows Server ids before 2019) have names of their own.
func GuestOS(guestID string) string {
	if v, ok := guestOSExceptions[guestID]; ok {
		return v
	}
	s := strings.ToLower(strings.TrimSuffix(guestID, "Guest"))
	switch {
	case strings.HasSuffix(s, "_64"):
		s = strings.TrimSuffix(s, "_64") + "-64"
	case strings.HasSuffix(s, "64") && !strings.HasSuffix(s, "-64"):
		s = strings.TrimSuffix(s, "64") + "-64"
	}
	return s
}

// guestIDs maps lower-case .vmx guestOS names to API guest ids, for every
// id the API defines.
var guestIDs = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, id := range types.VirtualMachineGuestOsIdentifier("").Values() {
		name := GuestOS(string(id))
		if _, dup := m[name]; !dup {
			m[name] = string(id)
		}
	}
	return m
})

// GuestID is the reverse of GuestOS: the API guest id of a .vmx guestOS
// name, compared without regard to case. It returns false for a name no
// API guest id maps to.
func GuestID(guestOS string) (string, bool) {
	id, ok := guestIDs()[strings.ToLower(guestOS)]
	return id, ok
}
