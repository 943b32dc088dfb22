// Package vmlock serialises the backup operations on one VM across
// goroutines and processes: a backup, a restore that replaces the VM, a
// deletion or a prune hold the VM's lock exclusively; a verification or a
// restore as a new VM hold it shared. A second exclusive holder is refused
// at once, never queued, with an error that names the holder.
//
// The lock is an flock(2) on a file per VM in a directory on the local
// disk (ceso puts it beside the catalog). The kernel releases it when the
// process dies, so a killed backup never leaves a stale lock. The file holds
// the holder's pid and operation, only to word the refusal.
//
// It must not know anything of hosts, targets or the catalog.
package vmlock
