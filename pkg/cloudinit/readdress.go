package cloudinit

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Readdress gives a clone or a restored VM a new identity while keeping what
// its source's guestinfo says about accounts. From spec it takes only
// Hostname (required), InstanceID (generated when empty), NICs and
// AdapterMACs; any other field set is an error wrapping ErrReaddress (build
// a fresh config with Build to change accounts).
//
// From src it keeps the metadata's other keys (public-keys-data among them),
// the user-data and the vendordata as cloud-init reads them, except that
// "hostname" and "fqdn" are removed from a cloud-config user-data so that the
// new hostname takes effect. The source's network config is never carried over: a clone
// must not come up with its source's addresses or MAC matches. Without NICs
// in spec the guest falls back to DHCP on its first adapter.
//
// A source whose guestinfo cloud-init could not read is an error; a source
// without guestinfo yields the spec's identity with the image's defaults.
func Readdress(src map[string]string, spec Spec) (map[string]string, error) {
	if f := accountFields(spec); len(f) > 0 {
		return nil, fmt.Errorf("%w: %s would change the source's accounts; build a new config instead",
			ErrReaddress, strings.Join(f, ", "))
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	d := Decode(src)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("reading the source's guestinfo: %w", err)
	}
	md := map[string]any{}
	for k, v := range d.Metadata {
		md[k] = v
	}
	md["instance-id"] = spec.InstanceID
	if spec.InstanceID == "" {
		md["instance-id"] = NewInstanceID()
	}
	md["local-hostname"] = spec.Hostname
	if net := buildNetwork(spec.NICs, spec.AdapterMACs); net != nil {
		md["network"] = net
	}
	mdJSON, err := marshalJSON(md)
	if err != nil {
		return nil, fmt.Errorf("encoding metadata: %w", err)
	}
	ud, err := dropHostnameKeys(d.UserData)
	if err != nil {
		return nil, err
	}
	return encodeKeys(mdJSON, []byte(ud), []byte(d.VendorData))
}

// accountFields lists the Spec fields Readdress refuses.
func accountFields(s Spec) []string {
	var f []string
	add := func(set bool, name string) {
		if set {
			f = append(f, name)
		}
	}
	add(s.NoDefaultUser, "no_default_user")
	add(len(s.Users) > 0, "users")
	add(len(s.SSHKeys) > 0, "ssh_keys")
	add(len(s.Packages) > 0, "packages")
	add(len(s.RunCmd) > 0, "runcmd")
	add(len(s.WriteFiles) > 0, "write_files")
	add(s.Timezone != "", "timezone")
	add(len(s.CloudConfig) > 0, "cloud_config")
	return f
}

// dropHostnameKeys removes top-level hostname and fqdn from a cloud-config,
// leaving any other user-data untouched.
func dropHostnameKeys(ud string) (string, error) {
	if !strings.HasPrefix(ud, CloudConfigHeader) {
		return ud, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(withoutHeader([]byte(ud)), &doc); err != nil {
		return "", fmt.Errorf("%w: the source's user-data: %v", ErrCloudConfig, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return ud, nil
	}
	root := doc.Content[0]
	changed := false
	for _, k := range []string{"hostname", "fqdn"} {
		if i := mappingIndex(root, k); i >= 0 {
			root.Content = append(root.Content[:i], root.Content[i+2:]...)
			changed = true
		}
	}
	if !changed {
		return ud, nil
	}
	return renderCloudConfig(root)
}
