package tensor

import "math"

// AllFinite reports whether x holds no NaN and no infinity. It reads
// eight or more elements per instruction where the CPU allows (AVX2), so
// that checking every weight and gradient of a network after each
// training step costs little.
func AllFinite(x []float32) bool {
	i := 0
	if n := len(x) &^ 31; finiteHaveAsm && n > 0 {
		if !allFiniteAsm(&x[0], n) {
			return false
		}
		i = n
	}
	for ; i < len(x); i++ {
		if math.Float32bits(x[i])&expMask == expMask {
			return false
		}
	}
	return true
}

// expMask selects the exponent bits of a float32; they are all ones
// exactly for NaNs and infinities.
const expMask = 0x7f800000
