package cloudinit

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"
)

// Summary is what `ceso vm info` shows of a VM's guestinfo. Its JSON form is
// part of ceso's output API: fields are never removed.
type Summary struct {
	Hostname   string `json:"hostname"`
	FQDN       string `json:"fqdn"`
	InstanceID string `json:"instance_id"`
	// DHCPFallback is true when the metadata has no network config, so
	// cloud-init runs DHCP on the first adapter.
	DHCPFallback bool          `json:"dhcp_fallback"`
	NICs         []NICSummary  `json:"nics"`
	Users        []UserSummary `json:"users"`
	Missing      []string      `json:"missing"`
	Problems     []string      `json:"problems"`
}

// NICSummary is one ethernet of the network config.
type NICSummary struct {
	ID        string   `json:"id"`
	MAC       string   `json:"mac"`
	Name      string   `json:"name"`
	DHCP4     bool     `json:"dhcp4"`
	DHCP6     bool     `json:"dhcp6"`
	Addresses []string `json:"addresses"`
	Gateways  []string `json:"gateways"`
	DNS       []string `json:"dns"`
}

// UserSummary is one account cloud-init will create.
type UserSummary struct {
	Name string `json:"name"`
	// Default is true for the image's default user, whose name, groups and
	// sudo rule are set by the image: the summary shows Ubuntu's
	// (DefaultUserName, passwordless sudo) and no groups.
	Default bool     `json:"default"`
	Groups  []string `json:"groups"`
	Sudo    bool     `json:"sudo"`
	// SSHKeys are fingerprints, "SHA256:..."; a key that cannot be parsed
	// shows as "invalid".
	SSHKeys []string `json:"ssh_keys"`
}

// Summary condenses d. Hostname and FQDN follow cloud-init: "fqdn" or
// "hostname" in the user-data win over the metadata's local-hostname.
func (d *Decoded) Summary() Summary {
	s := Summary{Missing: append([]string{}, d.Missing...), NICs: []NICSummary{}, Users: []UserSummary{}, Problems: []string{}}
	for _, p := range d.Problems {
		s.Problems = append(s.Problems, p.Error())
	}
	s.InstanceID = str(d.Metadata["instance-id"])
	s.Hostname, s.FQDN = splitHostname(str(d.Metadata["local-hostname"]))
	s.DHCPFallback = d.Metadata != nil && d.Network == nil
	s.NICs = summarizeNetwork(d.Network)
	cfg, err := d.cloudConfig()
	if err != nil {
		s.Problems = append(s.Problems, fmt.Sprintf("%s: %v", KeyUserData, err))
	}
	if fqdn := str(cfg["fqdn"]); fqdn != "" {
		s.FQDN, s.Hostname = fqdn, strings.SplitN(fqdn, ".", 2)[0]
		if h := str(cfg["hostname"]); h != "" {
			s.Hostname = h
		}
	} else if h := str(cfg["hostname"]); h != "" {
		s.Hostname, s.FQDN = splitHostname(h)
	}
	s.Users = summarizeUsers(cfg, pubkeyData(d.Metadata))
	return s
}

// cloudConfig parses the user-data when it is a cloud-config.
func (d *Decoded) cloudConfig() (map[string]any, error) {
	if !strings.HasPrefix(d.UserData, CloudConfigHeader) {
		return map[string]any{}, nil
	}
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(d.UserData), &cfg); err != nil {
		return map[string]any{}, fmt.Errorf("cannot parse cloud-config: %w", err)
	}
	if cfg == nil {
		cfg = map[string]any{}
	}
	return cfg, nil
}

func summarizeNetwork(net map[string]any) []NICSummary {
	out := []NICSummary{}
	if inner, ok := net["network"].(map[string]any); ok && net["version"] == nil {
		net = inner
	}
	eths, _ := net["ethernets"].(map[string]any)
	ids := make([]string, 0, len(eths))
	for id := range eths {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		e, _ := eths[id].(map[string]any)
		n := NICSummary{ID: id, Name: id, Addresses: strs(e["addresses"]), Gateways: []string{}, DNS: []string{}}
		if m, ok := e["match"].(map[string]any); ok {
			n.MAC, n.Name = str(m["macaddress"]), str(m["name"])
		}
		n.DHCP4, n.DHCP6 = truthy(e["dhcp4"]), truthy(e["dhcp6"])
		for _, r := range list(e["routes"]) {
			rm, _ := r.(map[string]any)
			if to := str(rm["to"]); to == "default" || to == "0.0.0.0/0" || to == "::/0" {
				n.Gateways = append(n.Gateways, str(rm["via"]))
			}
		}
		for _, k := range []string{"gateway4", "gateway6"} {
			if g := str(e[k]); g != "" {
				n.Gateways = append(n.Gateways, g)
			}
		}
		if ns, ok := e["nameservers"].(map[string]any); ok {
			n.DNS = strs(ns["addresses"])
		}
		out = append(out, n)
	}
	return out
}

func summarizeUsers(cfg map[string]any, defaultKeys []string) []UserSummary {
	out := []UserSummary{}
	users, ok := cfg["users"]
	if !ok {
		users = []any{"default"}
	}
	defaultKeys = append(defaultKeys, strs(cfg["ssh_authorized_keys"])...)
	for _, u := range list(users) {
		switch v := u.(type) {
		case string:
			for _, name := range strings.Split(v, ",") {
				name = strings.TrimSpace(name)
				if name == "default" {
					out = append(out, UserSummary{Name: DefaultUserName, Default: true, Groups: []string{}, Sudo: true, SSHKeys: fingerprints(defaultKeys)})
				} else if name != "" {
					out = append(out, UserSummary{Name: name, Groups: []string{}, SSHKeys: []string{}})
				}
			}
		case map[string]any:
			us := UserSummary{Name: str(v["name"]), Groups: groups(v["groups"]), Sudo: sudo(v["sudo"]),
				SSHKeys: fingerprints(strs(v["ssh_authorized_keys"]))}
			out = append(out, us)
		}
	}
	return out
}

// pubkeyData reads public-keys-data (or its aliases) like cloud-init's
// normalize_pubkey_data: a string of lines or a list.
func pubkeyData(md map[string]any) []string {
	for _, k := range []string{"public-keys-data", "public_keys_data", "public-keys", "public_keys"} {
		v, ok := md[k]
		if !ok {
			continue
		}
		if s, ok := v.(string); ok {
			return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
		}
		return strs(v)
	}
	return nil
}

func fingerprints(lines []string) []string {
	out := []string{}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(l))
		if err != nil {
			out = append(out, "invalid")
			continue
		}
		out = append(out, ssh.FingerprintSHA256(pub))
	}
	return out
}

func groups(v any) []string {
	if s, ok := v.(string); ok {
		var out []string
		for _, g := range strings.Split(s, ",") {
			if g = strings.TrimSpace(g); g != "" {
				out = append(out, g)
			}
		}
		return append([]string{}, out...)
	}
	if m, ok := v.(map[string]any); ok {
		out := make([]string, 0, len(m))
		for g := range m {
			out = append(out, g)
		}
		sort.Strings(out)
		return out
	}
	return strs(v)
}

func sudo(v any) bool {
	switch x := v.(type) {
	case string:
		return x != "" && x != "False" && x != "false"
	case []any:
		return len(x) > 0
	case bool:
		return x
	}
	return false
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func strs(v any) []string {
	out := []string{}
	for _, x := range list(v) {
		out = append(out, str(x))
	}
	return out
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true" || x == "yes" || x == "on"
	}
	return false
}
