package nn

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// fillSpikes sets every element of x to 1 with probability density, else
// to 0.
func fillSpikes(rng *Rand, x []float32, density float64) {
	for i := range x {
		x[i] = 0
		if rng.Float64() < density {
			x[i] = 1
		}
	}
}

// spikeDensities are the densities every comparison of the event-driven
// and dense paths runs at.
var spikeDensities = []float64{0, 0.01, 0.10, 0.50, 1}

// spikeKernels runs f once for every version of the event-driven kernels
// this build and CPU have: the pure-Go loops, AVX2 and AVX2 with the
// AVX-512 scan.
func spikeKernels(t *testing.T, f func(t *testing.T, k spikeImpl)) {
	for _, k := range spikeImpls() {
		t.Run(k.String(), func(t *testing.T) { f(t, k) })
	}
}

// naiveScan returns the positions base+j of the ones of a binary x and
// the cuts spikeScan should record.
func naiveScan(x []float32, base int32, piece int) (pos, cuts []int32) {
	for j, v := range x {
		if piece > 0 && j > 0 && j%piece == 0 {
			cuts = append(cuts, int32(len(pos)))
		}
		if v == 1 {
			pos = append(pos, base+int32(j))
		}
	}
	return pos, cuts
}

func TestSpikeScan(t *testing.T) {
	spikeKernels(t, func(t *testing.T, k spikeImpl) {
		rng := NewRand(3)
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 64, 100, 128, 129, 800} {
			for _, piece := range []int{0, 8, 16, 24, 40, 128, 200} {
				for _, d := range spikeDensities {
					x := make([]float32, n)
					fillSpikes(rng, x, d)
					want, wantCuts := naiveScan(x, 100, piece)
					idx := make([]int32, n+scanSlack)
					cuts := make([]int32, len(wantCuts)+1)
					for i := range cuts {
						cuts[i] = -7
					}
					got, ok := k.scan(x, idx, 100, piece, cuts[:len(wantCuts)])
					if !ok || !slices.Equal(idx[:got], want) {
						t.Errorf("n=%d piece=%d d=%g: got %v %v, want %v", n, piece, d, ok, idx[:got], want)
					}
					if !slices.Equal(cuts[:len(wantCuts)], wantCuts) || (len(wantCuts) < len(cuts) && cuts[len(wantCuts)] != -7) {
						t.Errorf("n=%d piece=%d d=%g: cuts %v, want %v", n, piece, d, cuts, wantCuts)
					}
				}
			}
		}
		// Negative zero is a zero.
		x := make([]float32, 40)
		x[0], x[1], x[17], x[39] = float32(math.Copysign(0, -1)), 1, 1, 1
		idx := make([]int32, len(x)+scanSlack)
		if n, ok := k.scan(x, idx, 0, 0, nil); !ok || !slices.Equal(idx[:n], []int32{1, 17, 39}) {
			t.Errorf("with -0: got %v %v", ok, idx[:n])
		}
		// Any other value, anywhere (in the vector part, in a last
		// block of 8 and in the tail), makes the row non-binary.
		for _, bad := range []float32{0.5, -1, 2, 1e-30, 1 + 0x1p-23, float32(math.NaN()), float32(math.Inf(1))} {
			for _, at := range []int{0, 5, 8, 15, 16, 17, 31, 33, 34, 40, 41, 42} {
				x := make([]float32, 43)
				fillSpikes(rng, x, 0.3)
				x[at] = bad
				idx := make([]int32, len(x)+scanSlack)
				if _, ok := k.scan(x, idx, 0, 24, make([]int32, 1)); ok {
					t.Errorf("%g at %d: reported binary", bad, at)
				}
			}
		}
	})
}

// randomLists returns n random lists of rows of a matrix with wrows rows,
// of up to maxLen entries each (distinct entries when distinct is set), in
// the layout of the kernels with stride ps: beg[r*ps], end[r*ps].
func randomLists(rng *Rand, n, wrows, maxLen, ps int, distinct bool) (idx, beg, end []int32) {
	beg = make([]int32, n*ps)
	end = make([]int32, n*ps)
	for r := range n {
		k := int(rng.Float64() * float64(maxLen+1))
		beg[r*ps] = int32(len(idx))
		if distinct {
			k = min(k, wrows)
			perm := rng.r.Perm(wrows)[:k]
			slices.Sort(perm)
			for _, i := range perm {
				idx = append(idx, int32(i))
			}
		} else {
			for range k {
				idx = append(idx, int32(rng.Float64()*float64(wrows)))
			}
		}
		end[r*ps] = int32(len(idx))
	}
	return idx, beg, end
}

func TestSpikeGather(t *testing.T) {
	type result struct {
		name string
		out  []float32
	}
	var results []result
	spikeKernels(t, func(t *testing.T, k spikeImpl) {
		rng := NewRand(5)
		var out []float32
		for _, width := range []int{8, 16, 32} {
			for _, start := range []string{"zero", "init", "dst"} {
				for _, gaps := range []bool{false, true} {
					for _, blocks := range []int{1, 2, 3, 4, 7} {
						for _, maxLen := range []int{0, 1, 3, 9, 40} {
							name := fmt.Sprintf("width%d_%s_gaps%v_blocks%d_len%d", width, start, gaps, blocks, maxLen)
							ld, ldd, rows, wrows := width+5, width+3, 23, 17
							// Rows share their ends (ps = blocks), or not.
							ps := blocks + int(rng.Float64()*2)
							w := make([]float32, wrows*ld)
							rng.FillUniform(w, 1)
							// Block b of row r: entries [ptr[r·ps+b], ptr[r·ps+b+1]),
							// rows apart in idx when gaps is set.
							ptr := make([]int32, rows*ps+1)
							var cat []int32
							for r := range rows {
								if gaps {
									cat = append(cat, int32(rng.Float64()*float64(wrows)))
								}
								for b := range blocks {
									ptr[r*ps+b] = int32(len(cat))
									for range int(rng.Float64() * float64(maxLen+1)) {
										cat = append(cat, int32(rng.Float64()*float64(wrows)))
									}
								}
								ptr[r*ps+blocks] = int32(len(cat))
							}
							var init []float32
							if start == "init" {
								init = make([]float32, width)
								rng.FillUniform(init, 1)
								init[0] = float32(math.Copysign(0, -1))
							}
							got := make([]float32, rows*ldd)
							if start == "dst" {
								rng.FillUniform(got, 1)
							}
							before := slices.Clone(got)
							k.gather(got, ldd, w, ld, init, start == "dst", cat, ptr, ps, blocks, rows, width)
							for r := range rows {
								for j := range width {
									// The documented order, in float32.
									var acc float32
									switch start {
									case "init":
										acc = init[j]
									case "dst":
										acc = before[r*ldd+j]
									}
									var want, mag float64 = float64(acc), math.Abs(float64(acc))
									for b := range blocks {
										q := r*ps + b
										var sum float32
										for _, i := range cat[ptr[q]:ptr[q+1]] {
											v := w[int(i)*ld+j]
											sum += v
											want += float64(v)
											mag += math.Abs(float64(v))
										}
										acc += sum
									}
									if g := got[r*ldd+j]; math.Float32bits(g) != math.Float32bits(acc) {
										t.Fatalf("%s: row %d col %d: %g, want %g in the documented order", name, r, j, g, acc)
									}
									// And the float64 sum, to rounding.
									if d := math.Abs(float64(got[r*ldd+j]) - want); d > float64(len(cat)+1)*0x1p-24*mag {
										t.Fatalf("%s: row %d col %d: %g, want %g", name, r, j, got[r*ldd+j], want)
									}
								}
								// The padding between rows is left alone.
								for j := width; j < ldd; j++ {
									if got[r*ldd+j] != before[r*ldd+j] {
										t.Fatalf("%s: row %d: wrote column %d", name, r, j)
									}
								}
							}
							out = append(out, got...)
						}
					}
				}
			}
		}
		results = append(results, result{t.Name(), out})
	})
	for _, r := range results[1:] {
		if i := sameBits(r.out, results[0].out); i >= 0 {
			t.Fatalf("%s and %s differ at %d", r.name, results[0].name, i)
		}
	}
}

func TestTranspose(t *testing.T) {
	spikeKernels(t, func(t *testing.T, k spikeImpl) {
		for _, rows := range []int{0, 1, 5, 8, 13, 16, 196} {
			for _, cols := range []int{0, 3, 8, 10, 24, 32} {
				lds, ldd := cols+3, rows+5
				src := make([]float32, max(0, rows*lds))
				for i := range src {
					src[i] = float32(i)
				}
				dst := make([]float32, max(0, cols*ldd))
				for i := range dst {
					dst[i] = -1
				}
				k.transpose(dst, ldd, src, lds, rows, cols)
				for j := range cols {
					for i := range ldd {
						want := float32(-1)
						if i < rows {
							want = src[i*lds+j]
						}
						if dst[j*ldd+i] != want {
							t.Fatalf("%d×%d: dst[%d][%d] = %g, want %g", rows, cols, j, i, dst[j*ldd+i], want)
						}
					}
				}
			}
		}
	})
}

func TestSpikeScatter(t *testing.T) {
	var results [][]float32
	spikeKernels(t, func(t *testing.T, k spikeImpl) {
		rng := NewRand(6)
		var out []float32
		for _, width := range []int{8, 16, 32} {
			for _, maxLen := range []int{0, 1, 3, 9, 40} {
				name := fmt.Sprintf("width%d_len%d", width, maxLen)
				ldg, ldd, rows, drows, ps := width+5, width+3, 23, 29, 2
				g := make([]float32, rows*ldg)
				rng.FillUniform(g, 1)
				idx, beg, end := randomLists(rng, rows, drows, maxLen, ps, true)
				got := make([]float32, drows*ldd)
				rng.FillUniform(got, 1)
				want := make([]float64, len(got))
				mag := make([]float64, len(got))
				for i, v := range got {
					want[i], mag[i] = float64(v), math.Abs(float64(v))
				}
				k.scatter(got, ldd, g, ldg, idx, beg, end, ps, rows, width)
				for r := range rows {
					for _, i := range idx[beg[r*ps]:end[r*ps]] {
						for j := range width {
							v := float64(g[r*ldg+j])
							want[int(i)*ldd+j] += v
							mag[int(i)*ldd+j] += math.Abs(v)
						}
					}
				}
				for i, v := range got {
					if d := math.Abs(float64(v) - want[i]); d > float64(rows+1)*0x1p-24*mag[i] {
						t.Fatalf("%s: element %d: %g, want %g", name, i, v, want[i])
					}
				}
				out = append(out, got...)
			}
		}
		results = append(results, out)
	})
	for k, r := range results[1:] {
		for i, v := range r {
			if math.Float32bits(v) != math.Float32bits(results[0][i]) {
				t.Fatalf("version %d differs from the Go loops at %d: %g, %g", k+1, i, v, results[0][i])
			}
		}
	}
}

// TestSpikeKernelsCheckRows checks that the kernels refuse a list that
// names a row outside their matrix, or lies outside idx.
func TestSpikeKernelsCheckRows(t *testing.T) {
	mustPanic := func(t *testing.T, what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", what)
			}
		}()
		f()
	}
	spikeKernels(t, func(t *testing.T, k spikeImpl) {
		w := make([]float32, 3*16) // 3 rows of 16
		dst := make([]float32, 2*16)
		for _, bad := range []int32{-1, 3, 1 << 30} {
			idx := []int32{0, 2, bad, 1}
			beg, end := []int32{0, 1}, []int32{1, 4}
			mustPanic(t, fmt.Sprint("gather row ", bad), func() {
				k.gather(dst, 16, w, 16, nil, false, idx, []int32{0, 1, 4}, 1, 1, 2, 16)
			})
			mustPanic(t, fmt.Sprint("scatter row ", bad), func() {
				k.scatter(w, 16, dst, 16, idx, beg, end, 1, 2, 16)
			})
		}
		idx := []int32{0, 1}
		for _, p := range [][]int32{{-1, 1}, {0, 3}, {0, 1, 5}, {3, 3}} {
			mustPanic(t, fmt.Sprint("list ", p), func() {
				k.gather(dst, 16, w, 16, nil, false, idx, p, len(p)-1, len(p)-1, 1, 16)
			})
		}
	})
}

func TestSpikeTaps(t *testing.T) {
	var results [][]float32
	spikeKernels(t, func(t *testing.T, k spikeImpl) {
		rng := NewRand(12)
		var all []float32
		for _, width := range []int{8, 16, 32} {
			for _, kk := range []int{1, 4, 9} {
				ld, rows, positions := width+8, 30, 20
				src := make([]float32, kk*ld)
				rng.FillUniform(src, 1)
				reach := make([]int32, positions*kk)
				for i := range reach {
					reach[i] = int32(rng.Float64() * 15)
				}
				tapRow := make([]int32, kk)
				for i := range tapRow {
					tapRow[i] = int32(15 * (i % 2))
				}
				var pos []int32
				for p := range positions {
					if rng.Float64() < 0.5 {
						pos = append(pos, int32(p))
					}
				}
				dst := make([]float32, rows*ld)
				rng.FillUniform(dst, 1)
				want := slices.Clone(dst)
				for _, p := range pos { // the documented order
					for tap := range kk {
						r := int(reach[int(p)*kk+tap] + tapRow[tap])
						for j := range width {
							want[r*ld+j] += src[tap*ld+j]
						}
					}
				}
				k.taps(dst, src, ld, reach, tapRow, pos, kk, width)
				if i := sameBits(dst, want); i >= 0 {
					t.Fatalf("width %d kk %d: dst[%d] = %g, want %g", width, kk, i, dst[i], want[i])
				}
				all = append(all, dst...)
			}
		}
		// A row outside dst is refused.
		defer func() {
			if recover() == nil {
				t.Error("no panic for a row outside dst")
			}
		}()
		k.taps(make([]float32, 2*8), make([]float32, 8), 8, []int32{2}, []int32{0}, []int32{0}, 1, 8)
		results = append(results, all)
	})
}

func TestAddRows(t *testing.T) {
	spikeKernels(t, func(t *testing.T, k spikeImpl) {
		rng := NewRand(13)
		for _, lds := range []int{0, 24, 40} {
			dst := make([]float32, 5*24)
			src := make([]float32, 5*40)
			rng.FillUniform(dst, 1)
			rng.FillUniform(src, 1)
			want := slices.Clone(dst)
			for r := range 5 {
				for j := range 24 {
					want[r*24+j] += src[r*lds+j]
				}
			}
			k.addRows(dst, src, lds, 5, 24)
			if i := sameBits(dst, want); i >= 0 {
				t.Fatalf("lds %d: dst[%d] = %g, want %g", lds, i, dst[i], want[i])
			}
		}
	})
}
