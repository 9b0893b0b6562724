package nn

// The loops of batch normalisation. Each walks runs runs of n values, run
// r starting stride values after run r-1 (the values of one channel of
// one group: one run per sample). The sums are taken in float64 into
// eight partial sums, value i of a run going to partial sum i%8 for the
// first n - n%8 values of every run, reduced as
// ((p0+p4) + (p2+p6)) + ((p1+p5) + (p3+p7)); the last n%8 values of
// every run are then added one at a time. The AVX2 kernels of
// bn_amd64.s compute exactly the same operations in the same order, so
// both give the same bits. The conversions around products keep the
// compiler from fusing them with the following addition (as it may on
// arm64 or with GOAMD64=v3), which the kernels do not do.

// runsLen returns the length a slice must have to hold the runs.
func runsLen(n, runs, stride int) int {
	if n == 0 || runs == 0 {
		return 0
	}
	return (runs-1)*stride + n
}

// reduce8 sums eight partial sums in the order of the kernels.
func reduce8(p *[8]float64) float64 {
	return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]))
}

// bnMoments returns Σ d and Σ d² over the runs of x with d = x - shift.
func bnMoments(x []float32, n, runs, stride int, shift float64) (s1, s2 float64) {
	x = x[:runsLen(n, runs, stride)]
	if n == 0 || runs == 0 {
		return 0, 0
	}
	if haveAVX2 {
		return bnMomentsAVX2(&x[0], n, runs, stride, shift)
	}
	return bnMomentsGo(x, n, runs, stride, shift)
}

// bnMomentsGo is the pure-Go bnMoments.
func bnMomentsGo(x []float32, n, runs, stride int, shift float64) (s1, s2 float64) {
	var a, q [8]float64
	n8 := n &^ 7
	for r := range runs {
		run := x[r*stride : r*stride+n]
		for i := 0; i < n8; i += 8 {
			v := run[i : i+8 : i+8]
			for j := range v {
				d := float64(v[j]) - shift
				a[j] += d
				q[j] += float64(d * d)
			}
		}
	}
	s1, s2 = reduce8(&a), reduce8(&q)
	for r := range runs {
		for _, v := range x[r*stride+n8 : r*stride+n] {
			d := float64(v) - shift
			s1 += d
			s2 += float64(d * d)
		}
	}
	return s1, s2
}

// bnGradSums returns Σ g and Σ g·(x - mean) over the runs of g and x
// (which have the same layout), x - mean rounded to float32.
func bnGradSums(g, x []float32, n, runs, stride int, mean float32) (sg, sgx float64) {
	l := runsLen(n, runs, stride)
	g, x = g[:l], x[:l]
	if l == 0 {
		return 0, 0
	}
	if haveAVX2 {
		return bnGradSumsAVX2(&g[0], &x[0], n, runs, stride, mean)
	}
	return bnGradSumsGo(g, x, n, runs, stride, mean)
}

// bnGradSumsGo is the pure-Go bnGradSums.
func bnGradSumsGo(g, x []float32, n, runs, stride int, mean float32) (sg, sgx float64) {
	var a, q [8]float64
	n8 := n &^ 7
	for r := range runs {
		gr := g[r*stride : r*stride+n]
		xr := x[r*stride : r*stride+n]
		for i := 0; i < n8; i += 8 {
			gv := gr[i : i+8 : i+8]
			xv := xr[i : i+8 : i+8]
			for j := range gv {
				a[j] += float64(gv[j])
				q[j] += float64(float64(gv[j]) * float64(xv[j]-mean))
			}
		}
	}
	sg, sgx = reduce8(&a), reduce8(&q)
	for r := range runs {
		xr := x[r*stride+n8 : r*stride+n]
		for i, gv := range g[r*stride+n8 : r*stride+n] {
			sg += float64(gv)
			sgx += float64(float64(gv) * float64(xr[i]-mean))
		}
	}
	return sg, sgx
}

// bnNorm sets y = (x - mean)·scale + shift over the runs (y has x's
// layout).
func bnNorm(x, y []float32, n, runs, stride int, mean, scale, shift float32) {
	l := runsLen(n, runs, stride)
	x, y = x[:l], y[:l]
	if l == 0 {
		return
	}
	if haveAVX2 {
		bnNormAVX2(&x[0], &y[0], n, runs, stride, mean, scale, shift)
		return
	}
	bnNormGo(x, y, n, runs, stride, mean, scale, shift)
}

// bnNormGo is the pure-Go bnNorm.
func bnNormGo(x, y []float32, n, runs, stride int, mean, scale, shift float32) {
	for r := range runs {
		src := x[r*stride : r*stride+n]
		dst := y[r*stride : r*stride+n]
		for i, v := range src {
			dst[i] = float32((v-mean)*scale) + shift
		}
	}
}

// bnGradX sets gx = k·g - a - b·(x - mean) over the runs (g, x and gx
// have the same layout).
func bnGradX(g, x, gx []float32, n, runs, stride int, mean, k, a, b float32) {
	l := runsLen(n, runs, stride)
	g, x, gx = g[:l], x[:l], gx[:l]
	if l == 0 {
		return
	}
	if haveAVX2 {
		bnGradXAVX2(&g[0], &x[0], &gx[0], n, runs, stride, mean, k, a, b)
		return
	}
	bnGradXGo(g, x, gx, n, runs, stride, mean, k, a, b)
}

// bnGradXGo is the pure-Go bnGradX.
func bnGradXGo(g, x, gx []float32, n, runs, stride int, mean, k, a, b float32) {
	for r := range runs {
		gr := g[r*stride : r*stride+n]
		xr := x[r*stride : r*stride+n]
		dst := gx[r*stride : r*stride+n]
		for i, gv := range gr {
			dst[i] = float32(k*gv) - a - float32(b*(xr[i]-mean))
		}
	}
}
