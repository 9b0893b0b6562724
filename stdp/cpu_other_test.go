//go:build !unix

package stdp

func cpuSeconds() float64 { return 0 }
