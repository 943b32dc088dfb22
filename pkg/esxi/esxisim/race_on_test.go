//go:build race

package esxisim

// raceEnabled slows timing assertions down under the race detector.
const raceEnabled = true
