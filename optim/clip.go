package optim

import (
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// ClipGradNorm scales the gradients of params in place so that their total
// normType-norm, taken over all of them as if they were one vector, is at
// most maxNorm, and returns that total norm before clipping: the
// counterpart of torch.nn.utils.clip_grad_norm_(params, maxNorm, normType,
// error_if_nonfinite=True). Call it between autograd.Backward and
// Optimizer.Step. Parameters without a gradient are skipped (as listed
// twice, a parameter counts twice, as in PyTorch).
//
// As PyTorch 1.13 computes it on the CPU, in float32: the total norm is
// the norm of the per-parameter norms; every gradient is multiplied by
// min(1, maxNorm/(total+1e-6)), computed as (1/(total+1e-6))*maxNorm, so
// gradients whose norm is below maxNorm are left as they are. normType is
// 2 (the usual choice), math.Inf(1) (the largest absolute element) or any
// other p > 0 ((sum |g|^p)^(1/p)). The results agree bit for bit with
// PyTorch on x86-64 (the golden tests check it): the 2-norm follows its
// AVX2 kernel's summation order (eight fused multiply-add lanes, then the
// lanes in order, then the remaining elements, four at a time without and
// the last up to three with a fused multiply-add); other norms add the
// elements in order, as PyTorch does on one thread (with several threads
// it sums gradients of 32768 elements or more in chunks). An empty
// gradient has norm 0 (PyTorch's inf-norm raises an error on one).
//
// A total norm that is NaN or infinite is an error, and the gradients are
// then left unchanged (PyTorch's error_if_nonfinite=True, the default it
// announces; with False it would scale them by 0 or NaN). The total norm is
// returned with the error, for logging. A nil parameter, a NaN or negative
// maxNorm and a normType that is NaN or not positive are errors too.
func ClipGradNorm(params []*autograd.Var, maxNorm float32, normType float64) (float32, error) {
	if math.IsNaN(float64(maxNorm)) || maxNorm < 0 {
		return 0, fmt.Errorf("optim: clip grad norm: max norm %v must be >= 0", maxNorm)
	}
	if !(normType > 0) {
		return 0, fmt.Errorf("optim: clip grad norm: norm type %v must be > 0 (2, 1, +Inf, ...)", normType)
	}
	grads, err := gradsOf("clip grad norm", params)
	if err != nil {
		return 0, err
	}
	if len(grads) == 0 {
		return 0, nil
	}
	norm := pNorm(normType)
	norms := make([]float32, len(grads))
	elems := 0
	for _, g := range grads {
		elems += g.Len()
	}
	tensor.ParallelFor(len(grads), elems/len(grads)*4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			norms[i] = norm(grads[i].Data())
		}
	})
	// torch.norm(torch.stack(norms), p), even for one gradient: the 2-norm
	// of a single norm n is sqrt(n*n), which underflows to 0 for tiny n.
	total := norm(norms)
	if math.IsNaN(float64(total)) || math.IsInf(float64(total), 0) {
		return total, fmt.Errorf("optim: clip grad norm: the total %v-norm of the gradients is %v; gradients left unchanged", normType, total)
	}
	coef := 1 / (total + float32(1e-6)) * maxNorm
	if coef >= 1 {
		return total, nil // PyTorch multiplies by 1, which changes nothing
	}
	for _, g := range grads {
		d := g.Data()
		run(len(d), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d[i] *= coef
			}
		})
	}
	return total, nil
}

// ClipGradValue clamps every gradient element of params to [-clipValue,
// clipValue] in place: the counterpart of
// torch.nn.utils.clip_grad_value_. NaN elements stay NaN. Parameters
// without a gradient are skipped. A nil parameter and a NaN or negative
// clipValue are errors (PyTorch would set every element to a negative
// clipValue).
func ClipGradValue(params []*autograd.Var, clipValue float32) error {
	if math.IsNaN(float64(clipValue)) || clipValue < 0 {
		return fmt.Errorf("optim: clip grad value: clip value %v must be >= 0", clipValue)
	}
	grads, err := gradsOf("clip grad value", params)
	if err != nil {
		return err
	}
	for _, g := range grads {
		d := g.Data()
		run(len(d), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				switch v := d[i]; {
				case v > clipValue:
					d[i] = clipValue
				case v < -clipValue:
					d[i] = -clipValue
				}
			}
		})
	}
	return nil
}

// gradsOf returns the gradients of params that have one, in order.
func gradsOf(op string, params []*autograd.Var) ([]*tensor.Tensor, error) {
	var grads []*tensor.Tensor
	for i, p := range params {
		if p == nil {
			return nil, fmt.Errorf("optim: %s: params[%d] is nil", op, i)
		}
		if g := p.Grad(); g != nil {
			grads = append(grads, g)
		}
	}
	return grads, nil
}

// pNorm returns the function computing the p-norm of a float32 vector as
// PyTorch 1.13's CPU kernels do (see ClipGradNorm).
func pNorm(p float64) func([]float32) float32 {
	switch {
	case p == 2:
		return norm2
	case math.IsInf(p, 1):
		return normInf
	case p == 1:
		return norm1
	}
	pf := float32(p)
	inv := 1 / pf
	return func(x []float32) float32 {
		var s float32
		for _, v := range x {
			s += pow32(abs32(v), pf)
		}
		return pow32(s, inv)
	}
}

// norm2 is torch.linalg.vector_norm(x, 2) for contiguous float32 x, in the
// order of PyTorch 1.13's vectorised AVX2 kernel (ReduceOpsKernel.cpp,
// norm_kernel_tensor_iterator_impl, as compiled by GCC for Debian's
// build): eight lane accumulators, each updated by a fused multiply-add
// (acc += x*x, vfmadd), over the first len(x) - len(x)%8 elements; the
// lanes added in order; then the remaining elements, four at a time with
// the squares rounded before they are added (GCC vectorises the four
// products) and the last up to three with a fused multiply-add; then the
// correctly rounded square root.
func norm2(x []float32) float32 { return sqrt32(sumSquares(x)) }

// sumSquares is the sum of x[i]*x[i] of norm2, before the square root.
func sumSquares(x []float32) float32 {
	var acc [8]float32
	n := len(x)
	d := 0
	for ; d < n-n%8; d += 8 {
		for j, v := range x[d : d+8] {
			// fmaSquare(v, acc[j]), written out: the inliner refuses it.
			p := float64(float64(v) * float64(v))
			c := float64(acc[j])
			s := p + c
			bv := s - p
			if e := (p - (s - bv)) + (c - bv); e != 0 {
				if b := math.Float64bits(s); b&1 == 0 {
					if e > 0 {
						b++
					} else {
						b--
					}
					s = math.Float64frombits(b)
				}
			}
			acc[j] = float32(s)
		}
	}
	s := acc[0]
	for _, a := range acc[1:] {
		s += a
	}
	for ; n-d >= 4; d += 4 {
		for j := 0; j < 4; j++ {
			sq := float32(x[d+j] * x[d+j]) // the conversion keeps the compiler from fusing
			s += sq
		}
	}
	for ; d < n; d++ {
		s = fmaSquare(x[d], s)
	}
	return s
}

// fmaSquare returns x*x+acc rounded once to float32, the vfmadd of
// PyTorch's kernel, for acc >= 0 (or +Inf, NaN): fma32 specialised to a
// square, short enough to inline. The square is exact in float64; the sum
// is rounded to odd in float64 (TwoSum gives its exact error e), which
// makes the rounding to float32 correct. A sum that is +Inf or NaN gives
// e = NaN and may step to the largest float64 (which rounds to +Inf in
// float32) or to another NaN (a NaN from float32 has its low 29 bits
// clear), so it needs no test of its own.
func fmaSquare(x, acc float32) float32 {
	p := float64(float64(x) * float64(x)) // exact
	c := float64(acc)
	s := p + c
	bv := s - p
	e := (p - (s - bv)) + (c - bv)
	if b := math.Float64bits(s); e != 0 && b&1 == 0 {
		if e > 0 { // s >= 0: the odd neighbour on the side of the exact sum
			b++
		} else {
			b--
		}
		s = math.Float64frombits(b)
	}
	return float32(s)
}

// normInf is the largest |x|, NaN if x holds a NaN, 0 for an empty x.
func normInf(x []float32) float32 {
	var m float32
	for _, v := range x {
		a := abs32(v)
		if a != a {
			return a
		}
		if a > m {
			m = a
		}
	}
	return m
}

// norm1 is the sum of |x| in order.
func norm1(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += abs32(v)
	}
	return s
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// pow32 is x^y rounded to float32 (C's powf, which PyTorch calls, is
// within one rounding of it).
func pow32(x, y float32) float32 { return float32(math.Pow(float64(x), float64(y))) }
