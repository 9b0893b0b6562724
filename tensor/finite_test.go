package tensor

import (
	"math"
	"testing"
)

func TestAllFinite(t *testing.T) {
	bad := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0x7fc00001), math.Float32frombits(0xff800001)}
	good := []float32{0, float32(math.Copysign(0, -1)), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-40, 3}
	for _, n := range []int{0, 1, 31, 32, 33, 64, 100, 1000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = good[i%len(good)]
		}
		if !AllFinite(x) {
			t.Fatalf("n=%d: finite values reported non-finite", n)
		}
		for pos := 0; pos < n; pos++ {
			for _, b := range bad {
				old := x[pos]
				x[pos] = b
				if AllFinite(x) {
					t.Fatalf("n=%d: %v at %d not found", n, b, pos)
				}
				x[pos] = old
			}
		}
	}
}

func BenchmarkAllFinite(b *testing.B) {
	x := make([]float32, 636010) // the parameters of the reference mlp
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		if !AllFinite(x) {
			b.Fatal("zeros reported non-finite")
		}
	}
}
