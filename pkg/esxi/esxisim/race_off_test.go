//go:build !race

package esxisim

const raceEnabled = false
