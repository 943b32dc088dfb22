package cloudinit

import "testing"

// Password hashes made with `openssl passwd -6 -salt cesotest1 secret` and
// `openssl passwd -5 -salt cesotest2 secret`; test data only.
const (
	testSHA512Hash = "$6$cesotest1$dqFe7ipuoyAqtk535u/QltIVbW0FVXDLNGUXrKLyG6NZIETWWCb1uO2as8lpKthntzUeAGKlZDidA95BcS2dL/"
	testSHA256Hash = "$5$cesotest2$JHU7y0BYJKpnBlCmQ.VWhSuC8iIolCO76abKL71sre3"
)

// namedSpec is a spec with a name for golden files and subtests.
type namedSpec struct {
	name string
	spec Spec
}

// fixtureSpecs covers every network shape and user shape. Each has a fixed
// instance-id so that its rendering is stable.
func fixtureSpecs(t testing.TB) []namedSpec {
	ed, rsa, alice, bob := key(t, "ed25519"), key(t, "rsa2048"), key(t, "alice"), key(t, "bob")
	return []namedSpec{
		{"dhcp-fallback", Spec{Hostname: "web1", InstanceID: "iid-dhcp-fallback", SSHKeys: []string{ed}}},
		{"dhcp4-by-mac", Spec{Hostname: "web2.example.com", InstanceID: "iid-dhcp4",
			SSHKeys: []string{ed, rsa},
			NICs:    []NIC{{MAC: "00:50:56:AA:BB:01", DHCP4: true}}}},
		{"static-v4", Spec{Hostname: "db1.example.com", InstanceID: "iid-static-v4", SSHKeys: []string{ed},
			NICs: []NIC{{Name: "ens192", Addresses: []string{"192.0.2.10/24"}, Gateway4: "192.0.2.1",
				DNS: []string{"192.0.2.53", "198.51.100.53"}, Search: []string{"example.com", "corp.example.com"}}}}},
		{"static-v6", Spec{Hostname: "v6only", InstanceID: "iid-static-v6", SSHKeys: []string{ed},
			NICs: []NIC{{MAC: "00:50:56:aa:bb:02", Addresses: []string{"2001:DB8:0:1::10/64"}, Gateway6: "2001:db8:0:1::1",
				DNS: []string{"2001:db8::53"}}}}},
		{"dual-stack", Spec{Hostname: "dual.example.org", InstanceID: "iid-dual", SSHKeys: []string{ed},
			NICs: []NIC{{Addresses: []string{"203.0.113.20/25", "2001:db8:1::20/64"},
				Gateway4: "203.0.113.1", Gateway6: "fe80::1", DHCP6: true,
				DNS: []string{"203.0.113.53", "2001:db8:1::53"}, Search: []string{"example.org"}}}}},
		{"two-nics", Spec{Hostname: "router1", InstanceID: "iid-two-nics", SSHKeys: []string{ed},
			NICs: []NIC{
				{MAC: "00:50:56:aa:bb:03", Addresses: []string{"192.0.2.30/24"}, Gateway4: "192.0.2.1"},
				{MAC: "00:50:56:aa:bb:04", Addresses: []string{"198.51.100.30/24"},
					Routes: []Route{{To: "10.20.0.0/16", Via: "198.51.100.1", Metric: 100}}},
			}}},
		{"routes-mtu", Spec{Hostname: "jumbo", InstanceID: "iid-routes-mtu", SSHKeys: []string{ed},
			AdapterMACs: []string{"00:50:56:aa:bb:05", "00:50:56:aa:bb:06"},
			NICs: []NIC{
				{DHCP4: true, MTU: 1400},
				{Addresses: []string{"10.1.0.5/16", "fd00:1::5/64"}, MTU: 9000,
					Routes: []Route{{To: "10.2.0.0/16", Via: "10.1.0.1"}, {To: "fd00:2::/48", Via: "fd00:1::1", Metric: 50}}},
			}}},
		{"users", Spec{Hostname: "app1.example.com", InstanceID: "iid-users", SSHKeys: []string{ed},
			Users: []User{
				{Name: "alice", Groups: []string{"sudo", "docker"}, Sudo: SudoNoPassword, Shell: "/bin/bash", SSHKeys: []string{alice}},
				{Name: "bob", PasswordHash: testSHA512Hash, SSHKeys: []string{bob, ed}},
				{Name: "carol", PasswordHash: testSHA256Hash, LockPasswd: ptr(true)},
			},
			Packages: []string{"nginx", "htop"},
			RunCmd:   []string{"systemctl enable --now nginx", "echo 'done' > /run/ceso-ready"},
			WriteFiles: []File{
				{Path: "/etc/motd", Content: "Managed by ceso\n", Permissions: "0644"},
				{Path: "/opt/app/blob.bin", Content: "\x00\x01\xfe\xff", Permissions: "0600", Owner: "alice:alice", Defer: true},
			},
			Timezone: "Europe/Berlin",
		}},
		{"no-default-user", Spec{Hostname: "solo", InstanceID: "iid-solo", NoDefaultUser: true,
			Users: []User{{Name: "ops", Groups: []string{"adm"}, Sudo: SudoNoPassword}}, SSHKeys: []string{alice}}},
		{"cloud-config-merge", Spec{Hostname: "merged", InstanceID: "iid-merged", SSHKeys: []string{ed},
			Users:    []User{{Name: "alice", Groups: []string{"sudo"}, Sudo: SudoNoPassword, SSHKeys: []string{alice}}},
			Packages: []string{"curl"},
			CloudConfig: []byte("#cloud-config\n" +
				"# site defaults\n" +
				"package_upgrade: true\n" +
				"packages: [jq]\n" +
				"users:\n" +
				"  - default\n" +
				"  - name: alice\n" +
				"    groups: [docker]\n" +
				"    shell: /bin/zsh\n" +
				"  - name: dave\n" +
				"    lock_passwd: true\n" +
				"    ssh_authorized_keys: ['" + bob + "']\n" +
				"ntp:\n  enabled: true\n  servers: [ntp.example.com]\n"),
		}},
	}
}
