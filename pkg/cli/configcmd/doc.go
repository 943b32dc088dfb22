// Package configcmd assembles `ceso config`: show (the effective
// configuration, secrets masked) and validate. It never connects to a host.
package configcmd
