//go:build race

package main

// raceEnabled is true in builds with the race detector, where the
// process-level tests, which re-run this binary many times, are skipped:
// they exercise files and signals, not goroutines, and the instrumented
// binary is several times slower.
const raceEnabled = true
