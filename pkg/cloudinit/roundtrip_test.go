package cloudinit

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// TestRoundTrip builds every fixture spec, decodes the keys and checks that
// the summary says what the spec asked for.
func TestRoundTrip(t *testing.T) {
	for _, s := range fixtureSpecs(t) {
		if len(s.spec.CloudConfig) > 0 {
			continue // the merge changes users: TestSummaryOfMerge
		}
		t.Run(s.name, func(t *testing.T) {
			sum := mustDecode(t, mustBuild(t, s.spec)).Summary()
			host, _, _ := strings.Cut(s.spec.Hostname, ".")
			if sum.Hostname != host || sum.FQDN != s.spec.Hostname || sum.InstanceID != s.spec.InstanceID {
				t.Errorf("identity = %q %q %q", sum.Hostname, sum.FQDN, sum.InstanceID)
			}
			if sum.DHCPFallback != (len(s.spec.NICs) == 0) {
				t.Errorf("DHCPFallback = %v", sum.DHCPFallback)
			}
			if got, want := nicsByMatch(sum.NICs), expectedNICs(s.spec); !reflect.DeepEqual(got, want) {
				t.Errorf("nics\n got %v\nwant %v", got, want)
			}
			if got, want := usersOf(sum.Users), expectedUsers(t, s.spec); !reflect.DeepEqual(got, want) {
				t.Errorf("users\n got %v\nwant %v", got, want)
			}
			if len(sum.Problems) > 0 || len(sum.Missing) != 1 || sum.Missing[0] != KeyVendorData {
				t.Errorf("problems %v missing %v", sum.Problems, sum.Missing)
			}
		})
	}
}

// nicsByMatch keys NIC summaries by what they match, in a comparable form.
func nicsByMatch(nics []NICSummary) map[string]string {
	out := map[string]string{}
	for _, n := range nics {
		k := n.MAC
		if k == "" {
			k = n.Name
		}
		out[k] = nicLine(n.DHCP4, n.DHCP6, n.Addresses, n.Gateways, n.DNS)
	}
	return out
}

func expectedNICs(s Spec) map[string]string {
	out := map[string]string{}
	for i, n := range s.NICs {
		k := strings.ToLower(n.MAC)
		switch {
		case k == "" && n.Name != "":
			k = n.Name
		case k == "" && i < len(s.AdapterMACs):
			k = strings.ToLower(s.AdapterMACs[i])
		case k == "":
			k = defaultNameGlob
		}
		var addrs, gws, dns []string
		for _, a := range n.Addresses {
			addrs = append(addrs, netip.MustParsePrefix(a).String())
		}
		for _, g := range []string{n.Gateway4, n.Gateway6} {
			if g != "" {
				gws = append(gws, netip.MustParseAddr(g).String())
			}
		}
		for _, d := range n.DNS {
			dns = append(dns, netip.MustParseAddr(d).String())
		}
		out[k] = nicLine(n.DHCP4, n.DHCP6, addrs, gws, dns)
	}
	return out
}

func nicLine(d4, d6 bool, addrs, gws, dns []string) string {
	b, _ := json.Marshal([]any{d4, d6, strings.Join(addrs, ","), strings.Join(gws, ","), strings.Join(dns, ",")})
	return string(b)
}

// usersOf renders user summaries as "name default sudo groups keys".
func usersOf(users []UserSummary) []string {
	var out []string
	for _, u := range users {
		b, _ := json.Marshal([]any{u.Name, u.Default, u.Sudo, strings.Join(u.Groups, ","), strings.Join(u.SSHKeys, ",")})
		out = append(out, string(b))
	}
	return out
}

func expectedUsers(t *testing.T, s Spec) []string {
	fps := func(lines ...[]string) []string {
		var out []string
		seen := map[string]bool{}
		for _, l := range lines {
			for _, k := range l {
				p, err := ParseSSHKey(k)
				if err != nil {
					t.Fatal(err)
				}
				if !seen[p.Fingerprint] {
					seen[p.Fingerprint] = true
					out = append(out, p.Fingerprint)
				}
			}
		}
		return out
	}
	var us []UserSummary
	if !s.NoDefaultUser {
		us = append(us, UserSummary{Name: DefaultUserName, Default: true, Sudo: true, SSHKeys: fps(s.SSHKeys)})
	}
	for _, u := range s.Users {
		us = append(us, UserSummary{Name: u.Name, Sudo: u.Sudo != "", Groups: u.Groups, SSHKeys: fps(s.SSHKeys, u.SSHKeys)})
	}
	return usersOf(us)
}

func TestSummaryOfMerge(t *testing.T) {
	var spec Spec
	for _, s := range fixtureSpecs(t) {
		if s.name == "cloud-config-merge" {
			spec = s.spec
		}
	}
	sum := mustDecode(t, mustBuild(t, spec)).Summary()
	ed, alice, bob := fp(t, "ed25519"), fp(t, "alice"), fp(t, "bob")
	want := []string{
		`["ubuntu",true,true,"","` + ed + `"]`,
		`["alice",false,true,"sudo,docker","` + ed + "," + alice + `"]`,
		`["dave",false,false,"","` + bob + `"]`,
	}
	if got := usersOf(sum.Users); !reflect.DeepEqual(got, want) {
		t.Errorf("users\n got %v\nwant %v", got, want)
	}
}

func fp(t *testing.T, name string) string {
	k, err := ParseSSHKey(key(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return k.Fingerprint
}

func TestSummaryHostnameFromCloudConfig(t *testing.T) {
	tests := []struct{ cc, host, fqdn string }{
		{"", "web1", "web1.example.com"},
		{"hostname: other\n", "other", "other"},
		{"hostname: other.example.net\n", "other", "other.example.net"},
		{"fqdn: f.example.org\n", "f", "f.example.org"},
		{"fqdn: f.example.org\nhostname: g\n", "g", "f.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.cc, func(t *testing.T) {
			s := Spec{Hostname: "web1.example.com", InstanceID: "i", CloudConfig: []byte("#cloud-config\n" + tt.cc)}
			sum := mustDecode(t, mustBuild(t, s)).Summary()
			if sum.Hostname != tt.host || sum.FQDN != tt.fqdn {
				t.Errorf("hostname %q fqdn %q, want %q %q", sum.Hostname, sum.FQDN, tt.host, tt.fqdn)
			}
		})
	}
}

func TestSummaryOfForeignUserData(t *testing.T) {
	ud := "#cloud-config\nusers:\n  - default\n  - alice, bob\n  - name: carol\n    groups: wheel, adm\n    sudo: false\n" +
		"  - name: dave\n    groups: {docker: null}\n    sudo: [\"ALL=(ALL) ALL\"]\n    ssh_authorized_keys: [\"ssh-ed25519 bm90\"]\n" +
		"ssh_authorized_keys: ['" + key(t, "bob") + "']\n"
	md := `{"instance-id": "i", "local-hostname": "h", "public-keys": ["` + key(t, "ed25519") + `"]}`
	sum := Decode(map[string]string{KeyMetadata: md, KeyUserData: ud}).Summary()
	want := []string{
		`["ubuntu",true,true,"","` + fp(t, "ed25519") + "," + fp(t, "bob") + `"]`,
		`["alice",false,false,"",""]`,
		`["bob",false,false,"",""]`,
		`["carol",false,false,"wheel,adm",""]`,
		`["dave",false,true,"docker","invalid"]`,
	}
	if got := usersOf(sum.Users); !reflect.DeepEqual(got, want) {
		t.Errorf("users\n got %v\nwant %v", got, want)
	}
}

func TestSummaryBadCloudConfig(t *testing.T) {
	sum := Decode(map[string]string{KeyMetadata: mdJSON, KeyUserData: "#cloud-config\nusers: [\n"}).Summary()
	if len(sum.Problems) != 1 || !strings.Contains(sum.Problems[0], "cannot parse cloud-config") {
		t.Errorf("problems = %v", sum.Problems)
	}
	if len(sum.Users) != 1 || !sum.Users[0].Default {
		t.Errorf("users = %+v", sum.Users)
	}
}

func TestSummaryJSONFields(t *testing.T) {
	b, err := json.Marshal(mustDecode(t, mustBuild(t, baseSpec(t))).Summary())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`"hostname":"web1"`, `"instance_id":"iid-1"`, `"dhcp_fallback":false`, `"nics":[{"id":"ens192"`,
		`"addresses":["192.0.2.10/24"]`, `"gateways":["192.0.2.1"]`, `"users":[{"name":"ubuntu","default":true`, `"ssh_keys":["SHA256:`, `"missing":["guestinfo.vendordata"]`, `"problems":[]`} {
		if !strings.Contains(string(b), f) {
			t.Errorf("summary JSON %s lacks %s", b, f)
		}
	}
}
