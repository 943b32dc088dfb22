package cloudinit

import (
	"bytes"
	"encoding/base64"
	"fmt"

	"gopkg.in/yaml.v3"
)

// CloudConfigHeader is the first line cloud-init requires of a cloud-config
// user-data document.
const CloudConfigHeader = "#cloud-config"

// cloudConfig is what Build generates, in the key order it is rendered.
type cloudConfig struct {
	Users      []any       `yaml:"users"`
	Timezone   string      `yaml:"timezone,omitempty"`
	Packages   []string    `yaml:"packages,omitempty"`
	WriteFiles []writeFile `yaml:"write_files,omitempty"`
	RunCmd     []string    `yaml:"runcmd,omitempty"`
}

type userEntry struct {
	Name              string   `yaml:"name"`
	Groups            []string `yaml:"groups,omitempty"`
	Sudo              string   `yaml:"sudo,omitempty"`
	Shell             string   `yaml:"shell,omitempty"`
	LockPasswd        bool     `yaml:"lock_passwd"`
	Passwd            string   `yaml:"passwd,omitempty"`
	SSHAuthorizedKeys []string `yaml:"ssh_authorized_keys,omitempty"`
}

type writeFile struct {
	Path        string `yaml:"path"`
	Content     string `yaml:"content"`
	Encoding    string `yaml:"encoding,omitempty"`
	Permissions string `yaml:"permissions,omitempty"`
	Owner       string `yaml:"owner,omitempty"`
	Append      bool   `yaml:"append,omitempty"`
	Defer       bool   `yaml:"defer,omitempty"`
}

// buildCloudConfig returns the generated cloud-config of a validated spec as
// a YAML mapping node, ready to be merged with the user's document.
func buildCloudConfig(s Spec, keys []string) (*yaml.Node, error) {
	cc := cloudConfig{Timezone: s.Timezone, Packages: s.Packages, RunCmd: s.RunCmd}
	if !s.NoDefaultUser {
		cc.Users = append(cc.Users, "default")
	}
	for _, u := range s.Users {
		cc.Users = append(cc.Users, buildUser(u, keys))
	}
	for _, f := range s.WriteFiles {
		wf := writeFile{Path: f.Path, Content: f.Content, Permissions: f.Permissions,
			Owner: f.Owner, Append: f.Append, Defer: f.Defer}
		if !isText(f.Content) {
			wf.Content, wf.Encoding = base64.StdEncoding.EncodeToString([]byte(f.Content)), "b64"
		}
		cc.WriteFiles = append(cc.WriteFiles, wf)
	}
	var n yaml.Node
	if err := n.Encode(cc); err != nil {
		return nil, fmt.Errorf("encoding cloud-config: %w", err)
	}
	return &n, nil
}

func buildUser(u User, common []string) userEntry {
	e := userEntry{Name: u.Name, Groups: u.Groups, Sudo: u.Sudo, Shell: u.Shell, Passwd: u.PasswordHash}
	e.LockPasswd = u.PasswordHash == ""
	if u.LockPasswd != nil {
		e.LockPasswd = *u.LockPasswd
	}
	e.SSHAuthorizedKeys = normalizeKeys(append(append([]string{}, common...), u.SSHKeys...))
	return e
}

// normalizeKeys returns the normalized lines of already validated keys, each
// once, in order.
func normalizeKeys(lines []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		k, err := ParseSSHKey(l)
		if err != nil || seen[k.Fingerprint] {
			continue
		}
		seen[k.Fingerprint] = true
		out = append(out, k.Line)
	}
	return out
}

// renderCloudConfig renders a mapping node as a #cloud-config document.
func renderCloudConfig(n *yaml.Node) (string, error) {
	var buf bytes.Buffer
	buf.WriteString(CloudConfigHeader + "\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "", fmt.Errorf("rendering cloud-config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("rendering cloud-config: %w", err)
	}
	return buf.String(), nil
}
