//go:build !amd64 || purego

package stdp

// This build has only the pure-Go loops.
const haveAVX2 = false

func linearStep8(mem, cur, thr *float32, n int, tau, sub float32) bool {
	panic("stdp: no assembly kernel")
}

func convRun16(mem, x, thr, inhThr, cnt *float32, tau float32, steps int) (n, mask int) {
	panic("stdp: no assembly kernel")
}

func linearScan8(mem, thr *float32, n int, idx *int32) int {
	panic("stdp: no assembly kernel")
}
