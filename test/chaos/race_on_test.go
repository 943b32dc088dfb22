//go:build chaos && race

package chaos

// raceEnabled: the race detector is on.
const raceEnabled = true
