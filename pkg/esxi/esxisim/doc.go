// Package esxisim runs an ESXi-faithful simulator: govmomi's vcsim in its
// standalone-host (ESX) model, corrected to behave like a real ESXi 8 host
// where ceso depends on it.
package esxisim
