package cloudinit

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestNetworkShapes(t *testing.T) {
	tests := []struct {
		name     string
		nics     []NIC
		adapters []string
		want     string // the metadata's network as JSON; "" for none
	}{
		{"none: DHCP fallback", nil, nil, ""},
		{"dhcp4 by mac", []NIC{{MAC: "00:50:56:AA:00:01", DHCP4: true}}, nil,
			`{"version":2,"ethernets":{"nic0":{"match":{"macaddress":"00:50:56:aa:00:01"},"dhcp4":true}}}`},
		{"dhcp4 unknown adapter", []NIC{{DHCP4: true}}, nil,
			`{"version":2,"ethernets":{"nic0":{"match":{"name":"en*"},"dhcp4":true}}}`},
		{"dhcp6 by name", []NIC{{Name: "ens192", DHCP6: true}}, nil,
			`{"version":2,"ethernets":{"ens192":{"dhcp6":true}}}`},
		{"name glob", []NIC{{Name: "ens2*", DHCP4: true}}, nil,
			`{"version":2,"ethernets":{"nic0":{"match":{"name":"ens2*"},"dhcp4":true}}}`},
		{"static v4", []NIC{{Name: "ens192", Addresses: []string{"192.0.2.10/24"}, Gateway4: "192.0.2.1",
			DNS: []string{"192.0.2.53"}, Search: []string{"example.com"}}}, nil,
			`{"version":2,"ethernets":{"ens192":{"addresses":["192.0.2.10/24"],"routes":[{"to":"0.0.0.0/0","via":"192.0.2.1"}],` +
				`"nameservers":{"addresses":["192.0.2.53"],"search":["example.com"]}}}}`},
		{"static v6 canonical", []NIC{{Name: "ens192", Addresses: []string{"2001:DB8:0:0::10/64"}, Gateway6: "2001:DB8::1"}}, nil,
			`{"version":2,"ethernets":{"ens192":{"addresses":["2001:db8::10/64"],"routes":[{"to":"::/0","via":"2001:db8::1"}]}}}`},
		{"dual stack link-local gateway", []NIC{{Name: "ens192", Addresses: []string{"192.0.2.10/24", "2001:db8::10/64"},
			Gateway4: "192.0.2.1", Gateway6: "fe80::1", DNS: []string{"2001:db8::53"}}}, nil,
			`{"version":2,"ethernets":{"ens192":{"addresses":["192.0.2.10/24","2001:db8::10/64"],` +
				`"routes":[{"to":"0.0.0.0/0","via":"192.0.2.1"},{"to":"::/0","via":"fe80::1"}],"nameservers":{"addresses":["2001:db8::53"]}}}}`},
		{"dhcp and static together", []NIC{{Name: "ens192", DHCP4: true, Addresses: []string{"192.0.2.10/24"}}}, nil,
			`{"version":2,"ethernets":{"ens192":{"dhcp4":true,"addresses":["192.0.2.10/24"]}}}`},
		{"two nics", []NIC{
			{MAC: "00:50:56:00:00:01", Addresses: []string{"192.0.2.10/24"}, Gateway4: "192.0.2.1"},
			{MAC: "00:50:56:00:00:02", DHCP4: true}}, nil,
			`{"version":2,"ethernets":{"nic0":{"match":{"macaddress":"00:50:56:00:00:01"},"addresses":["192.0.2.10/24"],` +
				`"routes":[{"to":"0.0.0.0/0","via":"192.0.2.1"}]},"nic1":{"match":{"macaddress":"00:50:56:00:00:02"},"dhcp4":true}}}`},
		{"adapters bind by index", []NIC{{DHCP4: true}, {Name: "ens224", DHCP6: true}},
			[]string{"00:50:56:00:00:0A", "00:50:56:00:00:0b"},
			`{"version":2,"ethernets":{"ens224":{"dhcp6":true},"nic0":{"match":{"macaddress":"00:50:56:00:00:0a"},"dhcp4":true}}}`},
		{"routes with metric", []NIC{{Name: "ens192", Addresses: []string{"10.1.0.5/16", "fd00:1::5/64"},
			Routes: []Route{{To: "10.2.0.0/16", Via: "10.1.0.1"}, {To: "fd00:2::/48", Via: "fd00:1::1", Metric: 50}}}}, nil,
			`{"version":2,"ethernets":{"ens192":{"addresses":["10.1.0.5/16","fd00:1::5/64"],` +
				`"routes":[{"to":"10.2.0.0/16","via":"10.1.0.1"},{"to":"fd00:2::/48","via":"fd00:1::1","metric":50}]}}}`},
		{"mtu", []NIC{{Name: "ens192", DHCP4: true, MTU: 9000}}, nil,
			`{"version":2,"ethernets":{"ens192":{"dhcp4":true,"mtu":9000}}}`},
		{"point to point /31 and /32", []NIC{{Name: "ens192", Addresses: []string{"192.0.2.0/31", "198.51.100.7/32"}}}, nil,
			`{"version":2,"ethernets":{"ens192":{"addresses":["192.0.2.0/31","198.51.100.7/32"]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := mustBuild(t, Spec{Hostname: "h", InstanceID: "i", NICs: tt.nics, AdapterMACs: tt.adapters})
			d := mustDecode(t, keys)
			if tt.want == "" {
				if d.Network != nil {
					t.Fatalf("network = %v, want none", d.Network)
				}
				if _, ok := d.Metadata["network"]; ok {
					t.Fatalf("metadata has a network key")
				}
				return
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatalf("bad expectation: %v", err)
			}
			if !reflect.DeepEqual(jsonRoundTrip(t, d.Network), want) {
				got, _ := json.Marshal(d.Network)
				t.Errorf("network\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// jsonRoundTrip normalizes v (json.Number and all) to plain JSON values.
func jsonRoundTrip(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}
