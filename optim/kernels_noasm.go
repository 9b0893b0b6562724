//go:build !amd64 || purego

package optim

// This build has only the pure-Go element loops.
const haveAsm = false

func vecLen(int) int { return 0 }

func adamAsm(k *adamScalars, p, g, m, v, vmax []float32) { panic("optim: no assembly kernel") }

func sgdAsm(k *sgdScalars, p, g, buf []float32, init bool) { panic("optim: no assembly kernel") }
