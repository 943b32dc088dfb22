package config

import "github.com/ceso/ceso/pkg/errkind"

var (
	// ErrInvalid is wrapped by every validation error of a configuration.
	ErrInvalid = errkind.New(errkind.Config, "invalid configuration")
	// ErrSecret is wrapped when a password cannot be read from its source.
	ErrSecret = errkind.New(errkind.Config, "cannot read secret")
	// ErrNoHost is returned when no ESXi host is configured.
	ErrNoHost = errkind.New(errkind.Config, "no ESXi host configured: set esxi.host in the config file, ESXI_HOST, or --host")
)
