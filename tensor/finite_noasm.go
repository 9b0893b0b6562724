//go:build !amd64 || purego

package tensor

const finiteHaveAsm = false

func allFiniteAsm(*float32, int) bool { panic("tensor: no assembly") }
