package cloudinit

import (
	"errors"
	"strings"
	"testing"
)

// baseSpec is a valid spec each validation case breaks in one place.
func baseSpec(t testing.TB) Spec {
	return Spec{Hostname: "web1", InstanceID: "iid-1", SSHKeys: []string{key(t, "ed25519")},
		NICs: []NIC{{Name: "ens192", Addresses: []string{"192.0.2.10/24"}, Gateway4: "192.0.2.1"}}}
}

func TestValidateErrors(t *testing.T) {
	rsa1024 := key(t, "rsa1024")
	tests := []struct {
		name   string
		mutate func(*Spec)
		field  string // the FieldError's field
		want   string // in the message
		is     error  // a more precise sentinel, if any
	}{
		{"hostname missing", func(s *Spec) { s.Hostname = "" }, "hostname", "required", nil},
		{"hostname underscore", func(s *Spec) { s.Hostname = "web_1" }, "hostname", `contains '_'`, nil},
		{"hostname leading hyphen", func(s *Spec) { s.Hostname = "-web" }, "hostname", "starts or ends with a hyphen", nil},
		{"hostname empty label", func(s *Spec) { s.Hostname = "web..example.com" }, "hostname", "empty label", nil},
		{"hostname long label", func(s *Spec) { s.Hostname = strings.Repeat("a", 64) }, "hostname", "longer than 63", nil},
		{"hostname too long", func(s *Spec) { s.Hostname = strings.Repeat("abcdefghi.", 26) + "com" }, "hostname", "at most 253", nil},
		{"hostname numeric tld", func(s *Spec) { s.Hostname = "192.0.2.1" }, "hostname", "all digits", nil},
		{"instance id slash", func(s *Spec) { s.InstanceID = "../etc" }, "instance_id", "letters, digits", nil},
		{"empty user list", func(s *Spec) { s.NoDefaultUser = true }, "users", "empty user list", nil},
		{"user name upper", func(s *Spec) { s.Users = []User{{Name: "Alice"}} }, "users[0].name", "not a valid user name", nil},
		{"user name root", func(s *Spec) { s.Users = []User{{Name: "root"}} }, "users[0].name", "reserved", nil},
		{"user name default", func(s *Spec) { s.Users = []User{{Name: "default"}} }, "users[0].name", "reserved", nil},
		{"user is default user", func(s *Spec) { s.Users = []User{{Name: "ubuntu"}} }, "users[0].name", "is the default user", nil},
		{"duplicate user", func(s *Spec) { s.Users = []User{{Name: "alice"}, {Name: "alice"}} }, "users[1].name", "duplicate user", nil},
		{"bad group", func(s *Spec) { s.Users = []User{{Name: "alice", Groups: []string{"wheel", "bad group"}}} }, "users[0].groups[1]", "not a valid group", nil},
		{"sudo two lines", func(s *Spec) { s.Users = []User{{Name: "alice", Sudo: "ALL=(ALL) ALL\nx"}} }, "users[0].sudo", "single sudoers rule", nil},
		{"relative shell", func(s *Spec) { s.Users = []User{{Name: "alice", Shell: "bash"}} }, "users[0].shell", "absolute path", nil},
		{"plain password", func(s *Spec) { s.Users = []User{{Name: "alice", PasswordHash: "hunter2"}} }, "users[0].password_hash", "not a crypt hash", ErrPlainPassword},
		{"user key", func(s *Spec) { s.Users = []User{{Name: "alice", SSHKeys: []string{rsa1024}}} }, "users[0].ssh_keys[0]", "1024 bits", ErrSSHKey},
		{"spec key", func(s *Spec) { s.SSHKeys = []string{"ssh-ed25519 AAAA"} }, "ssh_keys[0]", "cannot parse", ErrSSHKey},
		{"bad CIDR", func(s *Spec) { s.NICs[0].Addresses = []string{"192.0.2.10"} }, "nics[0].addresses[0]", "not an address in CIDR form", nil},
		{"network address", func(s *Spec) { s.NICs[0].Addresses = []string{"192.0.2.0/24"} }, "nics[0].addresses[0]", "network address", nil},
		{"broadcast address", func(s *Spec) { s.NICs[0].Addresses = []string{"192.0.2.255/24"} }, "nics[0].addresses[0]", "broadcast address", nil},
		{"loopback address", func(s *Spec) { s.NICs[0].Addresses = []string{"127.0.0.2/8"} }, "nics[0].addresses[0]", "not a unicast host address", nil},
		{"mapped address", func(s *Spec) { s.NICs[0].Addresses = []string{"::ffff:192.0.2.10/120"} }, "nics[0].addresses[0]", "IPv4-mapped", nil},
		{"zoned address", func(s *Spec) { s.NICs[0].Addresses = []string{"fe80::1%eth0/64"} }, "nics[0].addresses[0]", "", nil},
		{"gateway outside subnet", func(s *Spec) { s.NICs[0].Gateway4 = "198.51.100.1" }, "nics[0].gateway4", "outside the subnets", nil},
		{"gateway is own address", func(s *Spec) { s.NICs[0].Gateway4 = "192.0.2.10" }, "nics[0].gateway4", "is the NIC's own address", nil},
		{"gateway4 is v6", func(s *Spec) { s.NICs[0].Gateway4 = "2001:db8::1" }, "nics[0].gateway4", "not an IPv4 address", nil},
		{"gateway6 without v6", func(s *Spec) { s.NICs[0].Gateway6 = "2001:db8::1" }, "nics[0].gateway6", "outside the subnets", nil},
		{"gateway on dhcp nic", func(s *Spec) { s.NICs[0] = NIC{Name: "ens192", DHCP4: true, Gateway4: "192.0.2.1"} }, "nics[0].gateway4", "outside the subnets", nil},
		{"two default routes", func(s *Spec) {
			s.NICs = append(s.NICs, NIC{Name: "ens224", Addresses: []string{"198.51.100.5/24"}, Gateway4: "198.51.100.1"})
		}, "nics[1].gateway4", "already set by nics[0].gateway4", nil},
		{"duplicate address same nic", func(s *Spec) { s.NICs[0].Addresses = []string{"192.0.2.10/24", "192.0.2.10/25"} }, "nics[0].addresses[1]", "duplicate address 192.0.2.10", nil},
		{"duplicate address across nics", func(s *Spec) {
			s.NICs = append(s.NICs, NIC{Name: "ens224", Addresses: []string{"192.0.2.10/24"}})
		}, "nics[1].addresses[0]", "also nics[0].addresses[0]", nil},
		{"no address", func(s *Spec) { s.NICs[0] = NIC{Name: "ens192"} }, "nics[0]", "no address", nil},
		{"bad mac", func(s *Spec) { s.NICs[0].MAC = "00:50:56:zz:00:01" }, "nics[0].mac", "not a 48-bit MAC", nil},
		{"unknown NIC by mac", func(s *Spec) {
			s.AdapterMACs = []string{"00:50:56:00:00:01"}
			s.NICs[0].MAC = "00:50:56:00:00:02"
		}, "nics[0].mac", "unknown NIC 00:50:56:00:00:02", nil},
		{"unknown NIC by index", func(s *Spec) {
			s.AdapterMACs = []string{"00:50:56:00:00:01"}
			s.NICs = []NIC{{DHCP4: true}, {DHCP4: true}}
		}, "nics[1]", "unknown NIC: the VM has 1 network adapter", nil},
		{"bad adapter mac", func(s *Spec) { s.AdapterMACs = []string{"nope"} }, "adapter_macs[0]", "not a 48-bit MAC", nil},
		{"unmatched second nic", func(s *Spec) { s.NICs = []NIC{{DHCP4: true}, {DHCP4: true}} }, "nics[0]", "give a MAC or an interface name", nil},
		{"same adapter twice", func(s *Spec) {
			s.NICs = append(s.NICs, NIC{Name: "ens192", DHCP4: true})
		}, "nics[1]", "matches the same adapter as nics[0]", nil},
		{"bad interface name", func(s *Spec) { s.NICs[0].Name = "a/b" }, "nics[0].name", "not an interface name", nil},
		{"route not CIDR", func(s *Spec) { s.NICs[0].Routes = []Route{{To: "10.0.0.0", Via: "192.0.2.1"}} }, "nics[0].routes[0].to", "not a destination", nil},
		{"route host bits", func(s *Spec) { s.NICs[0].Routes = []Route{{To: "10.0.0.1/8", Via: "192.0.2.1"}} }, "nics[0].routes[0].to", "the network is 10.0.0.0/8", nil},
		{"route via outside", func(s *Spec) { s.NICs[0].Routes = []Route{{To: "10.0.0.0/8", Via: "10.0.0.1"}} }, "nics[0].routes[0].via", "outside the subnets", nil},
		{"route via bad", func(s *Spec) { s.NICs[0].Routes = []Route{{To: "10.0.0.0/8", Via: "gw"}} }, "nics[0].routes[0].via", "not an address", nil},
		{"route families", func(s *Spec) { s.NICs[0].Routes = []Route{{To: "2001:db8::/32", Via: "192.0.2.1"}} }, "nics[0].routes[0].via", "different families", nil},
		{"route metric", func(s *Spec) { s.NICs[0].Routes = []Route{{To: "10.0.0.0/8", Via: "192.0.2.1", Metric: -1}} }, "nics[0].routes[0].metric", "negative", nil},
		{"mtu too big", func(s *Spec) { s.NICs[0].MTU = 9001 }, "nics[0].mtu", "outside 68..9000", nil},
		{"mtu too small for v6", func(s *Spec) { s.NICs[0].DHCP6, s.NICs[0].MTU = true, 1200 }, "nics[0].mtu", "IPv6's minimum", nil},
		{"bad dns", func(s *Spec) { s.NICs[0].DNS = []string{"dns.example.com"} }, "nics[0].dns[0]", "not a name server", nil},
		{"bad search", func(s *Spec) { s.NICs[0].Search = []string{"exa mple.com"} }, "nics[0].search[0]", "contains ' '", nil},
		{"bad package", func(s *Spec) { s.Packages = []string{"nginx; rm -rf /"} }, "packages[0]", "not a package name", nil},
		{"empty runcmd", func(s *Spec) { s.RunCmd = []string{" "} }, "runcmd[0]", "empty command", nil},
		{"bad timezone", func(s *Spec) { s.Timezone = "../../etc/passwd" }, "timezone", "tz database name", nil},
		{"relative file", func(s *Spec) { s.WriteFiles = []File{{Path: "etc/motd"}} }, "write_files[0].path", "clean absolute", nil},
		{"unclean file", func(s *Spec) { s.WriteFiles = []File{{Path: "/etc/../motd"}} }, "write_files[0].path", "clean absolute", nil},
		{"bad permissions", func(s *Spec) { s.WriteFiles = []File{{Path: "/etc/motd", Permissions: "rw-r--r--"}} }, "write_files[0].permissions", "octal mode", nil},
		{"bad owner", func(s *Spec) { s.WriteFiles = []File{{Path: "/etc/motd", Owner: "root:root:x"}} }, "write_files[0].owner", "user:group", nil},
		{"cloud-config header", func(s *Spec) { s.CloudConfig = []byte("packages: [jq]\n") }, "cloud_config", "first line must be", ErrCloudConfig},
		{"cloud-config archive", func(s *Spec) { s.CloudConfig = []byte("#cloud-config-archive\n- type: x\n") }, "cloud_config", "first line must be", ErrCloudConfig},
		{"cloud-config list", func(s *Spec) { s.CloudConfig = []byte("#cloud-config\n- a\n") }, "cloud_config", "must be a mapping", ErrCloudConfig},
		{"cloud-config syntax", func(s *Spec) { s.CloudConfig = []byte("#cloud-config\npackages: [jq\n") }, "cloud_config", "did not find expected", ErrCloudConfig},
		{"cloud-config two docs", func(s *Spec) { s.CloudConfig = []byte("#cloud-config\na: 1\n---\nb: 2\n") }, "cloud_config", "more than one YAML document", ErrCloudConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSpec(t)
			tt.mutate(&s)
			err := s.Validate()
			if !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("Validate() = %v, want ErrInvalidSpec", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Validate() = %v, want it to match %v", err, tt.is)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("Validate() = %v, want a FieldError for %q", err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %q, want it to contain %q", err, tt.want)
			}
			if _, berr := Build(s); berr == nil {
				t.Errorf("Build accepted a spec Validate refused")
			}
		})
	}
}

func TestValidateAcceptsBase(t *testing.T) {
	for _, s := range append(fixtureSpecs(t), namedSpec{"base", baseSpec(t)}) {
		t.Run(s.name, func(t *testing.T) {
			if err := s.spec.Validate(); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	s := Spec{Hostname: "bad_host", NoDefaultUser: true,
		NICs: []NIC{{Name: "ens192", Addresses: []string{"nope"}}}}
	err := s.Validate()
	for _, want := range []string{"hostname:", "users:", "nics[0].addresses[0]:", "nics[0]: no address"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
}

func TestPlainPasswordNotQuoted(t *testing.T) {
	s := baseSpec(t)
	s.Users = []User{{Name: "alice", PasswordHash: "correct horse battery staple"}}
	err := s.Validate()
	if err == nil || strings.Contains(err.Error(), "horse") {
		t.Fatalf("Validate() = %v: must refuse without repeating the password", err)
	}
}
