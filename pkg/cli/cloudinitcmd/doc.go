// Package cloudinitcmd assembles `ceso cloudinit`: render prints the
// guestinfo keys that vm create, vm clone and backup restore would write for
// the same cloud-init flags. It never connects to a host.
package cloudinitcmd
