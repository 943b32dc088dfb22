// Package config loads ceso's configuration: a YAML file (strictly decoded:
// an unknown key or a wrong type is an error naming the file, line and key),
// then the ESXI_* environment variables, then command-line flags. It resolves
// secrets (environment, a private file, or a command) only when asked, so that
// showing or validating a configuration never runs a command.
//
// It must not connect to a host or import any ESXi package.
package config
