//go:build !linux && !darwin

package benchrun

import "os"

// peakRSSMB reports that the peak resident set size is not known on this
// system.
func peakRSSMB(*os.ProcessState) (float64, bool) { return 0, false }
