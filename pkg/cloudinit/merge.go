package cloudinit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxYAMLNodes bounds alias expansion of a user's cloud-config, so that a
// "billion laughs" document cannot exhaust memory.
const maxYAMLNodes = 100000

// parseCloudConfig checks that data is a single "#cloud-config" YAML
// mapping and returns it with aliases expanded.
func parseCloudConfig(data []byte) (*yaml.Node, error) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if strings.TrimRight(string(first), " \t\r") != CloudConfigHeader {
		return nil, fmt.Errorf("%w: the first line must be %q", ErrCloudConfig, CloudConfigHeader)
	}
	dec := yaml.NewDecoder(bytes.NewReader(withoutHeader(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
		}
		return nil, fmt.Errorf("%w: %v", ErrCloudConfig, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: more than one YAML document", ErrCloudConfig)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: the document must be a mapping of cloud-config keys", ErrCloudConfig)
	}
	budget := maxYAMLNodes
	out, err := expandAliases(root, &budget)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// withoutHeader returns data without its first line, the "#cloud-config"
// header: parsed along, it would come back as a comment inside the document.
func withoutHeader(data []byte) []byte {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return data[i:]
	}
	return nil
}

// expandAliases returns a copy of n with every alias replaced by a copy of
// its anchored node and anchors dropped, so that merged nodes can be moved
// freely without leaving an alias before its anchor.
func expandAliases(n *yaml.Node, budget *int) (*yaml.Node, error) {
	*budget--
	if *budget < 0 {
		return nil, fmt.Errorf("%w: document too large once aliases are expanded", ErrCloudConfig)
	}
	if n.Kind == yaml.AliasNode {
		return expandAliases(n.Alias, budget)
	}
	c := *n
	c.Anchor = ""
	c.Content = make([]*yaml.Node, 0, len(n.Content))
	for _, ch := range n.Content {
		e, err := expandAliases(ch, budget)
		if err != nil {
			return nil, err
		}
		c.Content = append(c.Content, e)
	}
	return &c, nil
}

// mergeNodes lays over on top of base and returns the result. This is the
// merge rule for a user's cloud-config (documented in docs/cloud-init.md):
//
//   - two mappings merge key by key, recursively; keys only in over are
//     appended in over's order;
//   - two sequences are concatenated, base's items first, except the
//     top-level "users" list, merged by user name (see mergeUsers);
//   - anything else: over wins.
func mergeNodes(base, over *yaml.Node, top bool) *yaml.Node {
	switch {
	case base.Kind == yaml.MappingNode && over.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(over.Content); i += 2 {
			k, v := over.Content[i], over.Content[i+1]
			j := mappingIndex(base, k.Value)
			switch {
			case j < 0:
				base.Content = append(base.Content, k, v)
			case top && k.Value == "users" && base.Content[j+1].Kind == yaml.SequenceNode && v.Kind == yaml.SequenceNode:
				mergeUsers(base.Content[j+1], v)
			default:
				base.Content[j+1] = mergeNodes(base.Content[j+1], v, false)
			}
		}
		return base
	case base.Kind == yaml.SequenceNode && over.Kind == yaml.SequenceNode:
		base.Content = append(base.Content, over.Content...)
		return base
	default:
		return over
	}
}

// mergeUsers merges a users list by name: an entry of over naming a user
// already in base merges into that entry (over's fields win, lists such as
// groups and ssh_authorized_keys are concatenated); other entries are
// appended. A plain string entry ("default", "bob" or "bob,carol") is
// appended unless every user it names is already listed.
func mergeUsers(base, over *yaml.Node) {
	for _, u := range over.Content {
		if u.Kind == yaml.MappingNode {
			if j := userIndex(base, mappingValue(u, "name")); j >= 0 && base.Content[j].Kind == yaml.MappingNode {
				base.Content[j] = mergeNodes(base.Content[j], u, false)
				continue
			}
			base.Content = append(base.Content, u)
			continue
		}
		present := u.Kind == yaml.ScalarNode
		for _, name := range strings.Split(u.Value, ",") {
			present = present && userIndex(base, strings.TrimSpace(name)) >= 0
		}
		if !present {
			base.Content = append(base.Content, u)
		}
	}
}

// userIndex finds the entry of a users sequence naming name.
func userIndex(users *yaml.Node, name string) int {
	if name == "" {
		return -1
	}
	for i, u := range users.Content {
		switch u.Kind {
		case yaml.MappingNode:
			if mappingValue(u, "name") == name {
				return i
			}
		case yaml.ScalarNode:
			for _, n := range strings.Split(u.Value, ",") {
				if strings.TrimSpace(n) == name {
					return i
				}
			}
		}
	}
	return -1
}

// mappingIndex returns the index of key's key node in mapping m, or -1.
func mappingIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// mappingValue returns the scalar value under key in mapping m, or "".
func mappingValue(m *yaml.Node, key string) string {
	if j := mappingIndex(m, key); j >= 0 && m.Content[j+1].Kind == yaml.ScalarNode {
		return m.Content[j+1].Value
	}
	return ""
}
