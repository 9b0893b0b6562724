//go:build race

package models

// raceBuild reports a build with the race detector, under which
// TestSameBitsOnAnyCoreCount trains on fewer configurations.
const raceBuild = true
