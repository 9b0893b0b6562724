package optim

import (
	"math"
	"testing"
)

// TestFMASquareRoundsOnce checks the fused multiply-add of the 2-norm on
// inputs where rounding x*x+acc to float64 first and then to float32 (two
// roundings) gives the wrong float32: the float64 sum falls exactly on a
// float32 midpoint that the exact sum is just above. The pairs were found
// by a search with exact rational arithmetic (Python's fractions); acc is
// the rounded square of y, so that the lanes of sumSquares can be given it.
func TestFMASquareRoundsOnce(t *testing.T) {
	for _, c := range []struct{ x, acc, y, want, twice uint32 }{
		{0x3fb505d3, 0x2ea0b803, 0x370f6df0, 0x4000013d, 0x4000013c},
		{0x3fb5088f, 0x30401f01, 0x37ddc5bd, 0x4000051b, 0x4000051a},
		{0x3fb50b63, 0x2faf6e01, 0x3795d995, 0x4000091b, 0x4000091a},
		{0x3fb510c7, 0x30054f01, 0x37b8bc26, 0x400010bb, 0x400010ba},
	} {
		x, acc, y := math.Float32frombits(c.x), math.Float32frombits(c.acc), math.Float32frombits(c.y)
		if got := math.Float32bits(float32(float64(x)*float64(x) + float64(acc))); got != c.twice {
			t.Fatalf("%#x: rounding twice gives %#x, not the hazard %#x this test needs", c.x, got, c.twice)
		}
		if got := math.Float32bits(fmaSquare(x, acc)); got != c.want {
			t.Errorf("fmaSquare(%#x, %#x) = %#x, want %#x", c.x, c.acc, got, c.want)
		}
		if got := math.Float32bits(fma32(x, x, acc)); got != c.want {
			t.Errorf("fma32(%#x, %#x, %#x) = %#x, want %#x", c.x, c.x, c.acc, got, c.want)
		}
		if got := math.Float32bits(y * y); got != c.acc {
			t.Fatalf("y*y = %#x, want acc %#x", got, c.acc)
		}
		// Lane 0 accumulates y then x; the other lanes add zeros.
		lanes := make([]float32, 16)
		lanes[0], lanes[8] = y, x
		if got := math.Float32bits(sumSquares(lanes)); got != c.want {
			t.Errorf("sumSquares lanes = %#x, want %#x", got, c.want)
		}
		// Two elements: both in the fused tail.
		if got := math.Float32bits(sumSquares([]float32{y, x})); got != c.want {
			t.Errorf("sumSquares tail = %#x, want %#x", got, c.want)
		}
	}
}
