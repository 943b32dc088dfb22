// Package vmx reads and writes VMware .vmx files: the configuration of a
// virtual machine as ESXi keeps it on the datastore, one `key = "value"`
// line per setting.
//
// Values are written double-quoted; a byte that cannot stand inside the
// quotes is written as a bar and two hex digits, as ESXi writes them: `"`
// as |22, `|` as |7C, a newline as |0A. Keys are case-insensitive and made
// of letters, digits and . _ : - only, so a key can never break out of its
// line.
//
// It also maps vSphere API guest ids (ubuntu64Guest) to the guestOS names
// a .vmx uses (ubuntu-64) and back.
//
// It knows nothing of hosts, shells or the vSphere API; building a .vmx
// for a new VM belongs to the sshhost package.
package vmx
