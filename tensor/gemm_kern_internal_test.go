package tensor

import "testing"

func BenchmarkKernelOnly(b *testing.B) {
	for _, h := range []int{6, 4} {
		kc := 256
		a := make([]float32, h*kc)
		bb := make([]float32, 16*kc)
		c := make([]float32, h*16)
		for i := range a {
			a[i] = 0.001
		}
		for i := range bb {
			bb[i] = 0.001
		}
		b.Run(map[int]string{6: "6x16", 4: "4x16"}[h], func(b *testing.B) {
			for b.Loop() {
				gemmKernel(h, kc, a, bb, c, 16, true, 1)
			}
			b.ReportMetric(2*float64(h*16*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
