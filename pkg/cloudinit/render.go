package cloudinit

import (
	"fmt"
	"sort"
	"strings"
)

// RenderJSON renders guestinfo keys as one flat JSON object, keys sorted:
// {"guestinfo.metadata": "...", "guestinfo.metadata.encoding": "gzip+base64", ...}.
func RenderJSON(keys map[string]string) ([]byte, error) {
	out, err := marshalJSON(keys)
	if err != nil {
		return nil, fmt.Errorf("rendering guestinfo keys: %w", err)
	}
	return out, nil
}

// RenderKeys renders guestinfo keys as "key=value" lines, keys sorted; the
// form govc vm.change -e and a .vmx file take.
func RenderKeys(keys map[string]string) string {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%s=%s\n", k, keys[k])
	}
	return b.String()
}

// RenderDecoded decodes guestinfo keys and renders the plain documents as
// one YAML stream: the metadata JSON, an encoded network config decoded,
// the user-data and the vendordata, each after a "--- # key" line. It fails
// when cloud-init could not read the keys.
func RenderDecoded(keys map[string]string) (string, error) {
	d := Decode(keys)
	if err := d.Err(); err != nil {
		return "", err
	}
	var b strings.Builder
	section := func(name, text string) {
		if text == "" {
			return
		}
		fmt.Fprintf(&b, "--- # %s\n%s", name, text)
		if !strings.HasSuffix(text, "\n") {
			b.WriteString("\n")
		}
	}
	section(KeyMetadata, d.MetadataText)
	if _, encoded := d.rawNetworkString(); encoded && d.Network != nil {
		net, err := marshalJSON(d.Network)
		if err != nil {
			return "", fmt.Errorf("rendering network config: %w", err)
		}
		section(KeyMetadata+" network (decoded)", string(net))
	}
	section(KeyUserData, d.UserData)
	section(KeyVendorData, d.VendorData)
	return b.String(), nil
}

// rawNetworkString reports whether the metadata carried the network config
// as an encoded string rather than a mapping.
func (d *Decoded) rawNetworkString() (string, bool) {
	m, err := loadJSONOrYAML(d.MetadataText)
	if err != nil {
		return "", false
	}
	s, ok := m["network"].(string)
	return s, ok
}
