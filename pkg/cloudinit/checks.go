package cloudinit

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// checkCloudConfig applies the Spec's rules to the merged cloud-config, so
// that a user's file cannot bring in what a Spec would refuse: clear-text
// passwords, refused SSH keys, invalid host names.
func checkCloudConfig(n *yaml.Node) error {
	var cfg map[string]any
	if err := n.Decode(&cfg); err != nil {
		return &FieldError{Field: "cloud_config", Err: fmt.Errorf("%w: %v", ErrCloudConfig, err)}
	}
	var e errs
	if p, ok := cfg["password"]; ok && !isHashValue(p) {
		e.add(&FieldError{Field: "cloud_config.password", Err: ErrPlainPassword})
	}
	for _, k := range []string{"hostname", "fqdn"} {
		if v, ok := cfg[k]; ok {
			s, _ := v.(string)
			if err := ValidateHostname(s); err != nil {
				e.add(&FieldError{Field: "cloud_config." + k, Err: err})
			}
		}
	}
	checkKeyList("cloud_config.ssh_authorized_keys", cfg["ssh_authorized_keys"], &e)
	users, _ := cfg["users"].([]any)
	for i, u := range users {
		m, ok := u.(map[string]any)
		if !ok {
			continue
		}
		f := fmt.Sprintf("cloud_config.users[%d]", i)
		if _, ok := m["plain_text_passwd"]; ok {
			e.add(&FieldError{Field: f + ".plain_text_passwd", Err: ErrPlainPassword})
		}
		for _, k := range []string{"passwd", "hashed_passwd"} {
			if p, ok := m[k]; ok && !isHashValue(p) {
				e.add(&FieldError{Field: f + "." + k, Err: ErrPlainPassword})
			}
		}
		checkKeyList(f+".ssh_authorized_keys", m["ssh_authorized_keys"], &e)
	}
	if len(e) > 0 {
		return joinErrs(e)
	}
	return nil
}

func isHashValue(v any) bool {
	s, ok := v.(string)
	return ok && isCryptHash(s)
}

func checkKeyList(field string, v any, e *errs) {
	if v == nil {
		return
	}
	list, ok := v.([]any)
	if !ok {
		e.addf(field, "must be a list of public keys")
		return
	}
	for i, k := range list {
		s, _ := k.(string)
		if _, err := ParseSSHKey(s); err != nil {
			e.add(&FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Err: err})
		}
	}
}
