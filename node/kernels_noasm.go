//go:build !amd64 || purego

package node

// This build has only the pure-Go loops.
const haveAVX2 = false

func chargeFireAVX2(pre, mem, x, th, out *float32, n int, c *chargeConsts, mode int) int {
	panic("node: no assembly kernel")
}

func chargeBackAVX2(gx, gmNext, gu, spk *float32, n int, c *chargeConsts, mode int) {
	panic("node: no assembly kernel")
}

func subAVX2(u, a, b *float32, n int) { panic("node: no assembly kernel") }

func chargeResetAVX2(pre, mem, x, spk *float32, n int, c *chargeConsts, mode int) {
	panic("node: no assembly kernel")
}
