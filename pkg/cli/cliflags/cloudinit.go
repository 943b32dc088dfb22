package cliflags

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/errkind"
)

// CloudInit is the cloud-init flag set. Its fields hold the parsed flags.
type CloudInit struct {
	Hostname      string
	InstanceID    string
	IPs           []string
	Gateway       string
	IP6s          []string
	Gateway6      string
	DHCP          bool
	DHCP6         bool
	DNS           []string
	Search        []string
	MTU           int
	MAC           string
	NIC           string
	SSHKeys       []string
	Users         []string
	NoDefaultUser bool
	CloudConfig   string
}

// Flag names of the set, for Changed and for help texts that refer to them.
var (
	addressFlags = []string{"ip", "gateway", "ip6", "gateway6", "dhcp", "dhcp6", "dns", "search", "mtu", "mac", "nic"}
	accountFlags = []string{"ssh-key", "user", "no-default-user", "cloud-config"}
	identityFlag = []string{"hostname", "instance-id"}
)

// AddFlags defines the cloud-init flags on fs.
func (c *CloudInit) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Hostname, "hostname", "", "guest host `name` or FQDN (RFC 1123), e.g. web1 or web1.example.com")
	fs.StringVar(&c.InstanceID, "instance-id", "", "cloud-init instance-id (default: a new `id`; users, keys and network apply once per instance-id)")
	fs.StringSliceVar(&c.IPs, "ip", nil, "static IPv4 `CIDR`, e.g. 192.0.2.10/24 (repeatable)")
	fs.StringVar(&c.Gateway, "gateway", "", "IPv4 default gateway `address`, inside an --ip subnet")
	fs.StringSliceVar(&c.IP6s, "ip6", nil, "static IPv6 `CIDR`, e.g. 2001:db8::10/64 (repeatable)")
	fs.StringVar(&c.Gateway6, "gateway6", "", "IPv6 default gateway `address`, inside an --ip6 subnet or link-local")
	fs.BoolVar(&c.DHCP, "dhcp", false, "configure the NIC by DHCPv4")
	fs.BoolVar(&c.DHCP6, "dhcp6", false, "configure the NIC by DHCPv6")
	fs.StringSliceVar(&c.DNS, "dns", nil, "DNS server `address`es (repeatable or comma-separated)")
	fs.StringSliceVar(&c.Search, "search", nil, "DNS search `domain`s (repeatable or comma-separated)")
	fs.IntVar(&c.MTU, "mtu", 0, "link `MTU` in bytes (default: the network's)")
	fs.StringVar(&c.MAC, "mac", "", "`MAC` address of the NIC to configure (default: the VM's first adapter)")
	fs.StringVar(&c.NIC, "nic", "", "guest interface `name` (or glob) of the NIC to configure when its MAC is unknown, e.g. ens192")
	fs.StringArrayVar(&c.SSHKeys, "ssh-key", nil, "SSH public key `FILE|KEY` for the default user and every --user (repeatable)")
	fs.StringArrayVar(&c.Users, "user", nil, "create `NAME[:GROUP,...[:SHELL]]`; group sudo also grants passwordless sudo (repeatable)")
	fs.BoolVar(&c.NoDefaultUser, "no-default-user", false, "do not create the image's default user (ubuntu)")
	fs.StringVar(&c.CloudConfig, "cloud-config", "", "#cloud-config `FILE` merged over the generated user-data")
}

// Changed reports whether any cloud-init flag was given on fs.
func (c *CloudInit) Changed(fs *pflag.FlagSet) bool {
	return anyChanged(fs, identityFlag) || anyChanged(fs, addressFlags) || anyChanged(fs, accountFlags)
}

// ChangesAccounts reports whether flags that concern accounts or user-data
// were given (--ssh-key, --user, --no-default-user, --cloud-config). A clone
// or restore without them keeps its source's accounts with
// cloudinit.Readdress; with them, it needs a new config from cloudinit.Build.
func (c *CloudInit) ChangesAccounts(fs *pflag.FlagSet) bool {
	return anyChanged(fs, accountFlags)
}

func anyChanged(fs *pflag.FlagSet, names []string) bool {
	for _, n := range names {
		if fs.Changed(n) {
			return true
		}
	}
	return false
}

// Spec turns the flags into a cloudinit.Spec, reading SSH key files and the
// cloud-config file with readFile (os.ReadFile in production). It checks
// what only the flags can tell (an IPv6 address given to --ip, a key file
// without keys, a malformed --user); cloudinit.Spec.Validate checks the
// rest. An empty --hostname stays empty: the command fills it in, usually
// from the VM name (see cloudinit.HostnameFromName).
func (c *CloudInit) Spec(readFile func(string) ([]byte, error)) (cloudinit.Spec, error) {
	s := cloudinit.Spec{Hostname: c.Hostname, InstanceID: c.InstanceID, NoDefaultUser: c.NoDefaultUser}
	nic, err := c.nic()
	if err != nil {
		return cloudinit.Spec{}, err
	}
	if nic != nil {
		s.NICs = []cloudinit.NIC{*nic}
	}
	for _, v := range c.SSHKeys {
		keys, err := readKeys(v, readFile)
		if err != nil {
			return cloudinit.Spec{}, err
		}
		s.SSHKeys = append(s.SSHKeys, keys...)
	}
	for _, v := range c.Users {
		u, err := ParseUser(v)
		if err != nil {
			return cloudinit.Spec{}, err
		}
		s.Users = append(s.Users, u)
	}
	if c.CloudConfig != "" {
		b, err := readFile(expandHome(c.CloudConfig))
		if err != nil {
			return cloudinit.Spec{}, fileError(fmt.Errorf("--cloud-config: reading %s: %w", c.CloudConfig, err))
		}
		s.CloudConfig = b
	}
	return s, nil
}

// nic builds the one NIC the flags describe, or nil when they describe none.
func (c *CloudInit) nic() (*cloudinit.NIC, error) {
	addressing := len(c.IPs) > 0 || len(c.IP6s) > 0 || c.DHCP || c.DHCP6
	if !addressing {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"--gateway", c.Gateway != ""}, {"--gateway6", c.Gateway6 != ""}, {"--dns", len(c.DNS) > 0},
			{"--search", len(c.Search) > 0}, {"--mtu", c.MTU != 0}, {"--mac", c.MAC != ""}, {"--nic", c.NIC != ""},
		} {
			if f.set {
				return nil, fmt.Errorf("%s needs an address: add --ip, --ip6, --dhcp or --dhcp6", f.name)
			}
		}
		return nil, nil
	}
	n := &cloudinit.NIC{MAC: c.MAC, Name: c.NIC, DHCP4: c.DHCP, DHCP6: c.DHCP6, Gateway4: c.Gateway, Gateway6: c.Gateway6,
		DNS: c.DNS, Search: c.Search, MTU: c.MTU}
	for _, a := range c.IPs {
		if p, err := netip.ParsePrefix(strings.TrimSpace(a)); err == nil && p.Addr().Is6() {
			return nil, fmt.Errorf("--ip %s: an IPv6 address; use --ip6", a)
		}
		n.Addresses = append(n.Addresses, a)
	}
	for _, a := range c.IP6s {
		if p, err := netip.ParsePrefix(strings.TrimSpace(a)); err == nil && p.Addr().Is4() {
			return nil, fmt.Errorf("--ip6 %s: an IPv4 address; use --ip", a)
		}
		n.Addresses = append(n.Addresses, a)
	}
	return n, nil
}

// readKeys returns the key lines of one --ssh-key value: the value itself
// when it is a key, else the keys of the file it names.
func readKeys(v string, readFile func(string) ([]byte, error)) ([]string, error) {
	if looksPrivate(v) {
		return nil, fmt.Errorf("--ssh-key: the value is a private key (not shown); give the public key or its file (the .pub beside it) and keep the private key to yourself")
	}
	if strings.ContainsAny(v, "\n\r") {
		return nil, fmt.Errorf("--ssh-key: the value (%d characters over several lines, not shown) is neither a public key line nor a file name", len(v))
	}
	if cloudinit.LooksLikeSSHKey(v) {
		k, err := cloudinit.ParseSSHKey(v)
		if err != nil {
			return nil, fmt.Errorf("--ssh-key: %w", err)
		}
		return []string{k.Line}, nil
	}
	data, err := readFile(expandHome(v))
	if err != nil {
		return nil, fileError(fmt.Errorf("--ssh-key: reading %s: %w", v, err))
	}
	keys, err := cloudinit.ParseSSHKeys(data)
	if err != nil {
		return nil, fmt.Errorf("--ssh-key %s: %w", v, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("--ssh-key %s: no public key in the file", v)
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Line
	}
	return out, nil
}

// fileError gives a missing file the kind not found (exit code 5).
func fileError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errkind.Wrap(errkind.NotFound, err)
	}
	return err
}

// looksPrivate reports whether v holds private key material: a PEM or
// OpenSSH private key block, or a PuTTY key file.
func looksPrivate(v string) bool {
	return strings.Contains(v, "PRIVATE KEY") || strings.Contains(v, "PuTTY-User-Key-File")
}

// expandHome expands a leading "~/", which a shell leaves alone in
// --flag=~/path.
func expandHome(p string) string {
	if !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, p[2:])
}
