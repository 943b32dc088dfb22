package cliflags

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/ceso/ceso/pkg/cloudinit"
)

const (
	edKey  = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDlxNpCovnNj/8wBq7zwv1TYlRWRv+YoTWEjZRmMuZrE test-ed25519@ceso.test"
	bobKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEEal+3BATr7jtygjgJ/cSEyyWOlRuGEGUriHwxhfRDg bob@ceso.test"
)

// files is an in-memory readFile.
func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if v, ok := m[name]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

// parse runs the flag set over args and returns the spec.
func parse(t *testing.T, args []string, readFile func(string) ([]byte, error)) (cloudinit.Spec, *CloudInit, *pflag.FlagSet, error) {
	t.Helper()
	var c CloudInit
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	c.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parsing %v: %v", args, err)
	}
	s, err := c.Spec(readFile)
	return s, &c, fs, err
}

func TestSpecFromFlags(t *testing.T) {
	keyFiles := files(map[string]string{
		"keys.pub":        "# team\n" + edKey + "\n\n" + bobKey + "\n",
		"site.yaml":       "#cloud-config\npackages: [jq]\n",
		"id_ed25519.pub":  edKey + "\n",
		"empty.pub":       "# nothing\n",
		"with-spaces.pub": bobKey,
	})
	tests := []struct {
		name string
		args []string
		want cloudinit.Spec
	}{
		{"nothing", nil, cloudinit.Spec{}},
		{"hostname and instance-id", []string{"--hostname", "web1.example.com", "--instance-id", "iid-7"},
			cloudinit.Spec{Hostname: "web1.example.com", InstanceID: "iid-7"}},
		{"static dual stack", []string{"--ip", "192.0.2.10/24", "--gateway", "192.0.2.1", "--ip6", "2001:db8::10/64",
			"--gateway6", "2001:db8::1", "--dns", "192.0.2.53,2001:db8::53", "--dns", "198.51.100.53", "--search", "example.com", "--mtu", "9000"},
			cloudinit.Spec{NICs: []cloudinit.NIC{{Addresses: []string{"192.0.2.10/24", "2001:db8::10/64"}, Gateway4: "192.0.2.1",
				Gateway6: "2001:db8::1", DNS: []string{"192.0.2.53", "2001:db8::53", "198.51.100.53"}, Search: []string{"example.com"}, MTU: 9000}}}},
		{"repeated --ip", []string{"--ip", "192.0.2.10/24", "--ip=192.0.2.11/24,192.0.2.12/24"},
			cloudinit.Spec{NICs: []cloudinit.NIC{{Addresses: []string{"192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24"}}}}},
		{"dhcp on a named NIC", []string{"--dhcp", "--dhcp6", "--nic", "ens224"},
			cloudinit.Spec{NICs: []cloudinit.NIC{{Name: "ens224", DHCP4: true, DHCP6: true}}}},
		{"dhcp by MAC", []string{"--dhcp", "--mac", "00:50:56:aa:bb:cc"},
			cloudinit.Spec{NICs: []cloudinit.NIC{{MAC: "00:50:56:aa:bb:cc", DHCP4: true}}}},
		{"keys inline and from files", []string{"--ssh-key", edKey, "--ssh-key", "keys.pub"},
			cloudinit.Spec{SSHKeys: []string{edKey, edKey, bobKey}}},
		{"users", []string{"--user", "alice:sudo,docker", "--user", "bob", "--user", "carol::/bin/zsh", "--user", "dave:adm:/bin/sh"},
			cloudinit.Spec{Users: []cloudinit.User{
				{Name: "alice", Groups: []string{"sudo", "docker"}, Sudo: cloudinit.SudoNoPassword},
				{Name: "bob"},
				{Name: "carol", Shell: "/bin/zsh"},
				{Name: "dave", Groups: []string{"adm"}, Shell: "/bin/sh"}}}},
		{"no default user and cloud-config", []string{"--no-default-user", "--user", "ops", "--cloud-config", "site.yaml"},
			cloudinit.Spec{NoDefaultUser: true, Users: []cloudinit.User{{Name: "ops"}}, CloudConfig: []byte("#cloud-config\npackages: [jq]\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, _, err := parse(t, tt.args, keyFiles)
			if err != nil {
				t.Fatalf("Spec: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Spec\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestSpecFlagErrors(t *testing.T) {
	readFile := files(map[string]string{"empty.pub": "# nothing\n", "dsa.pub": "ssh-dss AAAAB3NzaC1kc3MAAACBAO test\n", "bad.yaml": "x"})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"v6 to --ip", []string{"--ip", "2001:db8::1/64"}, "--ip 2001:db8::1/64: an IPv6 address; use --ip6"},
		{"v4 to --ip6", []string{"--ip6", "192.0.2.1/24"}, "--ip6 192.0.2.1/24: an IPv4 address; use --ip"},
		{"gateway alone", []string{"--gateway", "192.0.2.1"}, "--gateway needs an address"},
		{"dns alone", []string{"--dns", "192.0.2.53"}, "--dns needs an address"},
		{"mac alone", []string{"--mac", "00:50:56:00:00:01"}, "--mac needs an address"},
		{"missing key file", []string{"--ssh-key", "nope.pub"}, "--ssh-key: reading nope.pub"},
		{"empty key file", []string{"--ssh-key", "empty.pub"}, "--ssh-key empty.pub: no public key"},
		{"refused key in file", []string{"--ssh-key", "dsa.pub"}, "--ssh-key dsa.pub: line 1: "},
		{"refused inline key", []string{"--ssh-key", "ssh-ed25519 AAAA"}, "--ssh-key: "},
		{"user syntax", []string{"--user", "a:b:c:d"}, "use NAME[:GROUP,...[:SHELL]]"},
		{"user without name", []string{"--user", ":sudo"}, "use NAME[:GROUP,...[:SHELL]]"},
		{"user empty shell", []string{"--user", "a:sudo:"}, "empty shell"},
		{"missing cloud-config", []string{"--cloud-config", "nope.yaml"}, "--cloud-config: reading nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := parse(t, tt.args, readFile)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Spec() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	_, _, _, err := parse(t, []string{"--ssh-key", "nope.pub"}, readFile)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap the read error", err)
	}
}

func TestChanged(t *testing.T) {
	tests := []struct {
		args              []string
		changed, accounts bool
	}{
		{nil, false, false},
		{[]string{"--other"}, false, false},
		{[]string{"--hostname", "x"}, true, false},
		{[]string{"--dhcp"}, true, false},
		{[]string{"--ssh-key", edKey}, true, true},
		{[]string{"--user", "a"}, true, true},
		{[]string{"--no-default-user"}, true, true},
		{[]string{"--cloud-config", "f"}, true, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var c CloudInit
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			fs.Bool("other", false, "")
			c.AddFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if c.Changed(fs) != tt.changed || c.ChangesAccounts(fs) != tt.accounts {
				t.Errorf("Changed = %v, ChangesAccounts = %v", c.Changed(fs), c.ChangesAccounts(fs))
			}
		})
	}
}

// TestFlagsToGuestinfo runs flags all the way to guestinfo keys and back.
func TestFlagsToGuestinfo(t *testing.T) {
	spec, _, _, err := parse(t, []string{"--hostname", "web1", "--instance-id", "iid-w",
		"--ip", "192.0.2.10/24", "--gateway", "192.0.2.1", "--dns", "192.0.2.53",
		"--ssh-key", edKey, "--user", "alice:sudo"}, files(nil))
	if err != nil {
		t.Fatal(err)
	}
	spec.AdapterMACs = []string{"00:50:56:00:00:01"}
	keys, err := cloudinit.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	sum := cloudinit.Decode(keys).Summary()
	if sum.Hostname != "web1" || sum.InstanceID != "iid-w" || len(sum.NICs) != 1 || sum.NICs[0].MAC != "00:50:56:00:00:01" ||
		len(sum.Users) != 2 || sum.Users[1].Name != "alice" || !sum.Users[1].Sudo || len(sum.Users[1].SSHKeys) != 1 {
		t.Errorf("summary %+v", sum)
	}
}

func TestExpandHome(t *testing.T) {
	t.Setenv("HOME", "/home/tester")
	if got := expandHome("~/.ssh/id.pub"); got != "/home/tester/.ssh/id.pub" {
		t.Errorf("expandHome = %q", got)
	}
	if got := expandHome("keys/~x"); got != "keys/~x" {
		t.Errorf("expandHome = %q", got)
	}
}

func TestFlagHelp(t *testing.T) {
	var c CloudInit
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	c.AddFlags(fs)
	usage := fs.FlagUsages()
	for _, want := range []string{"--ip CIDR", "--ssh-key FILE|KEY", "--user NAME[:GROUP,...[:SHELL]]", "--cloud-config FILE", "--dns address", "--gateway address", "--mac MAC"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q:\n%s", want, usage)
		}
	}
}
