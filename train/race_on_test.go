//go:build race

package train

// raceEnabled is true in builds with the race detector, under which the
// soak test, a measure of heap growth over a thousand steps, is skipped.
const raceEnabled = true
