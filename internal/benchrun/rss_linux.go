package benchrun

import (
	"os"
	"syscall"
)

// peakRSSMB returns the peak resident set size of an ended process in
// MiB (ru_maxrss, in KiB on Linux).
func peakRSSMB(ps *os.ProcessState) (float64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, false
	}
	return float64(ru.Maxrss) / 1024, true
}
