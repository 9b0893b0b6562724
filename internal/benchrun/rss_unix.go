//go:build linux || darwin

package benchrun

import (
	"os"
	"syscall"
)

// peakRSSMB returns the peak resident set size of an ended process in
// MiB, from ru_maxrss (in units of maxrssUnit bytes).
func peakRSSMB(ps *os.ProcessState) (float64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	return float64(ru.Maxrss) * maxrssUnit / (1 << 20), true
}
