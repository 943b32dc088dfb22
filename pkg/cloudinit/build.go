package cloudinit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Build validates s and returns the guestinfo keys for it: metadata and
// user-data, gzip+base64 encoded, with their .encoding keys. The same Spec
// (with an InstanceID) always yields the same bytes. An empty InstanceID is
// replaced by a new one.
func Build(s Spec) (map[string]string, error) {
	md, ud, err := documents(s)
	if err != nil {
		return nil, err
	}
	return encodeKeys(md, []byte(ud), nil)
}

// NewInstanceID returns a fresh instance-id.
func NewInstanceID() string { return "ceso-" + uuid.NewString() }

// documents validates s and renders the plain metadata JSON and user-data.
func documents(s Spec) ([]byte, string, error) {
	if err := s.Validate(); err != nil {
		return nil, "", err
	}
	if s.InstanceID == "" {
		s.InstanceID = NewInstanceID()
	}
	md := map[string]any{
		"instance-id":    s.InstanceID,
		"local-hostname": s.Hostname,
	}
	if net := buildNetwork(s.NICs, s.AdapterMACs); net != nil {
		md["network"] = net
	}
	if keys := normalizeKeys(s.SSHKeys); len(keys) > 0 && !s.NoDefaultUser {
		md["public-keys-data"] = strings.Join(keys, "\n")
	}
	mdJSON, err := marshalJSON(md)
	if err != nil {
		return nil, "", fmt.Errorf("encoding metadata: %w", err)
	}
	ud, err := userData(s)
	if err != nil {
		return nil, "", err
	}
	return mdJSON, ud, nil
}

// userData renders the generated cloud-config with the user's document
// merged on top, and checks the result.
func userData(s Spec) (string, error) {
	node, err := buildCloudConfig(s, s.SSHKeys)
	if err != nil {
		return "", err
	}
	if len(s.CloudConfig) > 0 {
		over, err := parseCloudConfig(s.CloudConfig)
		if err != nil {
			return "", &FieldError{Field: "cloud_config", Err: err}
		}
		node = mergeNodes(node, over, true)
	}
	if err := checkCloudConfig(node); err != nil {
		return "", err
	}
	return renderCloudConfig(node)
}

// marshalJSON renders v as indented JSON without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
