//go:build !race

package train

// raceEnabled is true in builds with the race detector.
const raceEnabled = false
