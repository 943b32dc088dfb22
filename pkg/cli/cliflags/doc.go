// Package cliflags holds flag sets shared by several commands, defined once
// with pflag so that every command spells and documents them alike. The
// cloud-init set (CloudInit) serves `cloudinit render`, `vm create`,
// `vm clone` and `backup restore`.
//
// It turns flags into domain values (a cloudinit.Spec) and nothing more: it
// defines no cobra command and talks to no host.
package cliflags
