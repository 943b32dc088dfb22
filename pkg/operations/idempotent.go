package operations

import "github.com/ceso/ceso/pkg/ops"

// Idempotent says that calling the operation again with the same params
// leaves the host and the catalog as the first call left them: every read,
// and the writes whose second call finds nothing left to do. vm.power is
// not one (a reset reboots the guest each time), nor are create, clone,
// restore and backup (each call makes something new), nor prune (time
// moves the retention windows).
func Idempotent(d Def) bool {
	read := true
	for _, c := range d.Classes() {
		read = read && c == ops.ClassRead
	}
	if read {
		return true
	}
	switch d.Name() {
	case "vm.delete", "backup.delete", // what is gone stays gone
		"backup.verify", // records the same verdict again
		"backup.clean":  // nothing is left to clean
		return true
	}
	return false
}
