// Package cloudinit builds and reads the guestinfo keys that cloud-init's
// VMware datasource consumes on first boot: guestinfo.metadata (instance-id,
// local-hostname, netplan v2 network config, public-keys-data) and
// guestinfo.userdata (a #cloud-config document with users, packages, runcmd,
// write_files and timezone), each stored gzip+base64 with an .encoding key.
//
// Build turns a typed Spec into that key/value map after validating every
// field; Decode reads a VM's extraConfig back the way cloud-init would and
// Summary condenses it for display; Readdress gives a clone or a restored VM
// a new identity while keeping the source's users and keys.
//
// The package only produces and parses data: it never talks to a host, reads
// no files and imports nothing from the CLI or the ESXi layer.
package cloudinit
