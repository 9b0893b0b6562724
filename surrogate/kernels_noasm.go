//go:build !amd64 || purego

package surrogate

// This build has only the pure-Go loops.
const haveAVX2 = false

func qgateGradAVX2(dst, grad, x *float32, n int, c *qgateConst) {
	panic("surrogate: no assembly kernel")
}

func atanGradAVX2(dst, grad, x *float32, n int, c *atanConst) { panic("surrogate: no assembly kernel") }
