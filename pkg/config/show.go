package config

import (
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const mask = "********"

// Masked returns a copy with every secret value replaced by asterisks. Paths
// to secret files and secret commands are kept: they are not secrets.
func (c Config) Masked() Config {
	if c.ESXi.Password != "" {
		c.ESXi.Password = mask
	}
	if c.SSH.Password != "" {
		c.SSH.Password = mask
	}
	return c
}

// Paths are the files and directories ceso uses, as the configuration in
// effect makes them.
type Paths struct {
	StateDir    string `json:"state_dir"`
	Sessions    string `json:"sessions"`
	Catalog     string `json:"catalog"`
	AuditLog    string `json:"audit_log"`
	KnownHosts  string `json:"known_hosts"`
	LocalTarget string `json:"local_target"`
}

// Effective returns a copy with every default that is decided late filled
// in, so that showing it says what is in effect: session_cache true or
// false, the catalog, audit log and known_hosts paths. expand expands a
// leading ~/ (with HOME from the environment ceso runs in).
func (c Config) Effective(expand func(string) string) Config {
	on := c.ESXi.SessionCacheEnabled()
	c.ESXi.SessionCache = &on
	c.Backup.Catalog = expand(c.CatalogPath())
	c.Security.AuditLog = expand(c.auditLogSetting())
	c.SSH.KnownHosts = expand(c.KnownHostsPath())
	return c
}

// Paths lists the files and directories the configuration makes ceso use.
func (c Config) Paths(expand func(string) string) Paths {
	return Paths{
		StateDir: c.StateDir, Sessions: c.SessionDir(), Catalog: expand(c.CatalogPath()),
		AuditLog: expand(c.auditLogSetting()), KnownHosts: expand(c.KnownHostsPath()),
		LocalTarget: filepath.Join(c.StateDir, "backups"),
	}
}

// YAML renders the configuration as YAML in the file's own key order, with
// durations written as "10m0s" rather than nanoseconds.
func (c Config) YAML() ([]byte, error) {
	return yaml.Marshal(toNode(reflect.ValueOf(c)))
}

func toNode(v reflect.Value) *yaml.Node {
	if v.Type() == durationType {
		return scalar(time.Duration(v.Int()).String(), "!!str")
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return scalar("null", "!!null")
		}
		return toNode(v.Elem())
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for i := range v.NumField() {
			name, opts, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			// A key left unset where unset means something (allowed_ops:
			// no narrowing) is left out rather than shown as null.
			if f := v.Field(i); opts == "omitempty" && f.Kind() == reflect.Pointer && f.IsNil() {
				continue
			}
			n.Content = append(n.Content, scalar(name, "!!str"), toNode(v.Field(i)))
		}
		return n
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for i := range v.Len() {
			n.Content = append(n.Content, toNode(v.Index(i)))
		}
		if v.Len() > 0 && v.Index(0).Kind() == reflect.Struct {
			n.Style = 0
		}
		return n
	case reflect.Bool:
		return scalar(strconv.FormatBool(v.Bool()), "!!bool")
	case reflect.Int:
		return scalar(strconv.FormatInt(v.Int(), 10), "!!int")
	default:
		return scalar(v.String(), "!!str")
	}
}

func scalar(value, tag string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: tag}
}
