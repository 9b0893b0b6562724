package tensor_test

import (
	"testing"

	"github.com/spikego/spikego/tensor"
)

// gemmBenchShapes are the products that dominate training: Linear layers
// and convolutions lowered by im2col (conv2 of models.CNN: 32 channels of
// 14×14, 3×3 kernels), square products of 256, 512 and 1024, then two
// small ones of the same models that the blocking does not suit well (the
// first convolution, k = 9, and a Linear layer with 10 outputs).
// bench/gemm_torch.py reads this table to time torch.mm on the same
// shapes: keep one entry per line, in this form.
var gemmBenchShapes = []struct {
	name    string
	ta, tb  bool
	m, n, k int
	beta    float32
}{
	{"LinearFwd_128x800x784_NT", false, true, 128, 800, 784, 1},
	{"LinearWGrad_800x784x128_TN", true, false, 800, 784, 128, 1},
	{"ConvFwd_32x196x288_NN", false, false, 32, 196, 288, 0},
	{"ConvFwdBatch_32x12544x288_NN", false, false, 32, 196 * 64, 288, 0},
	{"ConvWGrad_32x288x196_NT", false, true, 32, 288, 196, 1},
	{"ConvXGrad_288x196x32_TN", true, false, 288, 196, 32, 0},
	{"Square_256x256x256_NN", false, false, 256, 256, 256, 0},
	{"Square_512x512x512_NN", false, false, 512, 512, 512, 0},
	{"Square_1024x1024x1024_NN", false, false, 1024, 1024, 1024, 0},
	{"Conv1Fwd_32x784x9_NN", false, false, 32, 784, 9, 0},
	{"LinearOut10_128x10x800_NT", false, true, 128, 10, 800, 1},
}

func benchGemm(b *testing.B, gemm tensor.GemmFunc, ta, tb bool, m, n, k int, beta float32) {
	r := newRand(99)
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb {
		br, bc = n, k
	}
	a, lda := randStrided(r, ar, ac, 0)
	bm, ldb := randStrided(r, br, bc, 0)
	c, ldc := randStrided(r, m, n, 0)
	for b.Loop() {
		gemm(ta, tb, m, n, k, 1, a, lda, bm, ldb, beta, c, ldc)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// BenchmarkGemm measures Gemm with the micro-kernel it picks on this CPU.
func BenchmarkGemm(b *testing.B) {
	for _, s := range gemmBenchShapes {
		b.Run(s.name, func(b *testing.B) { benchGemm(b, tensor.Gemm, s.ta, s.tb, s.m, s.n, s.k, s.beta) })
	}
}

// BenchmarkGemmKernel measures Gemm with each micro-kernel available.
func BenchmarkGemmKernel(b *testing.B) {
	for _, kern := range tensor.GemmKernels() {
		b.Run(kern, func(b *testing.B) {
			gemm := tensor.GemmWith(kern, -1)
			for _, s := range gemmBenchShapes {
				b.Run(s.name, func(b *testing.B) { benchGemm(b, gemm, s.ta, s.tb, s.m, s.n, s.k, s.beta) })
			}
		})
	}
}
