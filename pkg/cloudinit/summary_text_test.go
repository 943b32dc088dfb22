package cloudinit

import (
	"strings"
	"testing"
)

func TestSummaryString(t *testing.T) {
	s := Spec{Hostname: "web1.example.com", InstanceID: "iid-9", SSHKeys: []string{key(t, "ed25519")},
		Users: []User{{Name: "alice", Groups: []string{"docker"}}},
		NICs: []NIC{{MAC: "00:50:56:aa:bb:01", Addresses: []string{"192.0.2.10/24"}, Gateway4: "192.0.2.1", DNS: []string{"192.0.2.53"}},
			{Name: "ens224", DHCP4: true, DHCP6: true}}}
	got := mustDecode(t, mustBuild(t, s)).Summary().String()
	want := "hostname:     web1 (web1.example.com)\n" +
		"instance-id:  iid-9\n" +
		"ens224:       dhcp4 dhcp6\n" +
		"nic0:         00:50:56:aa:bb:01 192.0.2.10/24 via 192.0.2.1 dns 192.0.2.53\n" +
		"user ubuntu:  default, sudo, keys SHA256:qBYAJJNucVn1Vq9P1V0UOPoQcxt17NlgEWy7cHr6mlc\n" +
		"user alice:   groups docker, keys SHA256:qBYAJJNucVn1Vq9P1V0UOPoQcxt17NlgEWy7cHr6mlc\n" +
		"missing:      guestinfo.vendordata\n"
	if got != want {
		t.Errorf("String()\n got %q\nwant %q", got, want)
	}
	empty := Decode(map[string]string{KeyMetadata: "eyJ", KeyMetadataEncoding: "base64"}).Summary().String()
	for _, w := range []string{"hostname:     (none)", "user ubuntu:  default, sudo, no ssh key", "problem:      guestinfo.metadata: invalid base64"} {
		if !strings.Contains(empty, w) {
			t.Errorf("String() lacks %q:\n%s", w, empty)
		}
	}
	fallback := mustDecode(t, mustBuild(t, Spec{Hostname: "h", InstanceID: "i"})).Summary().String()
	if !strings.Contains(fallback, "network:      DHCP on the first NIC") {
		t.Errorf("String() lacks the DHCP fallback:\n%s", fallback)
	}
}
