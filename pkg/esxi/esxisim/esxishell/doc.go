// Package esxishell is a fake ESXi shell for tests: an sshtest.Handler
// that answers the commands ceso runs over SSH (vim-cmd, vmkfstools, mkdir,
// rm and the printf that writes a .vmx) against the inventory and the
// datastore of an esxisim.Simulator, in the output formats a real ESXi 7/8
// host prints (see the samples under pkg/esxi/ssh/testdata).
//
// It acts through esxisim.LocalClient, a session the free licence does not
// restrict, as vim-cmd acts through hostd: with the simulator on the free
// licence, the API refuses ceso's writes while the shell makes them. The
// simulator's corrections and injected faults (AddFault, FailTask) apply to
// the shell's calls too, so a full datastore on CopyVirtualDisk_Task shows
// as vmkfstools' "not enough space" error.
//
// Supported: vim-cmd vmsvc/getallvms, power.getstate, power.on, power.off,
// power.shutdown, power.reset, power.suspend, reload, unregister, destroy,
// snapshot.create, snapshot.get, snapshot.remove, snapshot.removeall, and
// solo/registervm (which reads the .vmx from the datastore and registers
// the VM it describes); vmkfstools -i (clone: a disk on a snapshot delta is
// copied as its consolidated current state, as on ESXi), -U (delete) and
// -X (extend); mkdir
// [-p]; rm [-rf]; cp (a file); and sh -c with the two file-writing scripts of
// pkg/esxi/sshhost. The vmid of a VM is the number of its simulator
// reference (vm-12 is vmid 12). Paths must lie under
// /vmfs/volumes/<datastore>/ of the simulator's datastore; the shell never
// touches another file. A line with unquoted shell syntax (; | & $ ` < >
// and the like) is refused, so quoting mistakes show in tests. Any other
// command prints "sh: X: not found" and exits 127. Every command line is
// recorded (Commands).
//
// It must only be used by tests and the simulator, never against a real
// host.
package esxishell
