package strategy

import (
	"errors"
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// WTALayer is BrainCog's WTALayer (braincog/base/connection/layer.py):
// winner-take-all over the channel axis 1 of [N,C] or [N,C,H,W]. At
// every position it keeps the k values of x whose product with a fresh
// uniform random number is largest and zeroes the others:
//
//	pos  = x * u,  u ~ U[0,1) drawn per element
//	mask = pos >= (k-th largest pos over channels)
//	out  = x * mask
//
// so among neurons that spiked together the winner is drawn uniformly at
// random. As in BrainCog, every element whose pos equals the k-th largest
// is kept: two spikes that draw the same number both win, and when fewer
// than k channels are positive all of them are kept. The mask is a
// constant: the gradient of x is the upstream gradient times the mask.
//
// The random numbers come from a counter-based generator: the number of
// the Forward call and the element's flat index (row-major, BrainCog's
// [N,C,H,W] order) determine u through a hash of the seed, so results do
// not depend on goroutines or on which elements were looked at, fused
// kernels can draw exactly the numbers that Forward would (Draws), and
// there is no global random state. Like torch.rand in float32, u takes
// the 2^24 values i·2^-24.
type WTALayer struct {
	k      int
	seed   uint64
	call   uint64
	replay [][]float32
}

// NewWTALayer returns a winner-take-all layer keeping k winners per
// position (BrainCog's default is 1), drawing its random numbers from
// seed. k must be at least 1.
func NewWTALayer(k int, seed uint64) (*WTALayer, error) {
	if k < 1 {
		return nil, fmt.Errorf("strategy: WTALayer needs k >= 1, got %d", k)
	}
	return &WTALayer{k: k, seed: seed}, nil
}

// K returns the number of winners per position.
func (w *WTALayer) K() int { return w.k }

// Seed returns the seed of the layer's random numbers.
func (w *WTALayer) Seed() uint64 { return w.seed }

// Calls returns how many calls' worth of random numbers have been used:
// the next Forward draws those of call number Calls().
func (w *WTALayer) Calls() uint64 { return w.call }

// SetCalls sets the call counter, to resume a run where it stopped.
func (w *WTALayer) SetCalls(c uint64) { w.call = c }

// Skip advances the call counter by n, after a fused kernel has used the
// draws of n calls (see Draws).
func (w *WTALayer) Skip(n uint64) { w.call += n }

// Replay makes the layer draw given numbers instead of its generator's:
// call c (counted from 0, see SetCalls) uses draws[c][i] for the element
// with flat index i. It serves to replay another implementation's draws
// (torch.rand's in BrainCog) and check against it. Forward returns an
// error, and Draws panics, for a call beyond the replayed ones. A nil
// draws restores the generator.
func (w *WTALayer) Replay(draws [][]float32) { w.replay = draws }

// Draws returns the random numbers of call number call, which a fused
// kernel can use in place of Forward's. With Replay, it panics for a
// call that was not given.
func (w *WTALayer) Draws(call uint64) Draws {
	if w.replay != nil {
		if call >= uint64(len(w.replay)) {
			panic(fmt.Sprintf("strategy: WTALayer: call %d beyond the %d replayed", call, len(w.replay)))
		}
		return Draws{table: w.replay[call]}
	}
	return Draws{key: mix64(w.seed ^ mix64(call+0x632be59bd9b4e019))}
}

// Draws are the uniform random numbers of one WTALayer call, one per
// element index. The zero value is a valid, fixed stream.
type Draws struct {
	key   uint64
	table []float32 // replayed numbers
}

// At returns the number drawn for the element with flat index i, in
// [0, 1) with 24 random bits (or the replayed number).
func (d Draws) At(i int) float32 {
	if d.table != nil {
		return d.table[i]
	}
	return float32(mix64(d.key+uint64(i)*0x9e3779b97f4a7c15)>>40) * (1.0 / (1 << 24))
}

// mix64 is the finaliser of SplitMix64 (Steele, Lea and Flood 2014), a
// bijection of uint64 with good avalanche.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Forward applies winner-take-all to x ([N,C] or [N,C,H,W], channels on
// axis 1) with the draws of the next call, and advances the counter.
// The output is x times a constant mask, so the gradient of x is the
// upstream gradient times the mask.
func (w *WTALayer) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("strategy: WTALayer of nil input")
	}
	if w.replay != nil && (w.call >= uint64(len(w.replay)) || len(w.replay[w.call]) != x.Value().Len()) {
		return nil, fmt.Errorf("strategy: WTALayer: no replayed draws for call %d of %d elements", w.call, x.Value().Len())
	}
	d := w.Draws(w.call)
	u := tensor.New(x.Value().Shape()...)
	ud := u.Data()
	for i, v := range x.Value().Data() {
		if v != 0 { // pos = x*u is 0 wherever x is, whatever u
			ud[i] = d.At(i)
		}
	}
	mask, err := WTAMask(x.Value(), u, w.k)
	if err != nil {
		return nil, err
	}
	w.call++
	return autograd.Mul(x, autograd.Const(mask)), nil
}

// WTAMask returns BrainCog's winner-take-all mask of x for the given
// random numbers u (same shape as x): 1 where x*u is at least the k-th
// largest x*u over channel axis 1, else 0. It is the rule of WTALayer
// with the random numbers supplied, for replaying another generator's
// draws (torch.rand's, say).
func WTAMask(x, u *tensor.Tensor, k int) (*tensor.Tensor, error) {
	if x == nil || u == nil {
		return nil, errors.New("strategy: WTAMask of nil tensor")
	}
	shape := x.Shape()
	if len(shape) < 2 || shape[1] == 0 {
		return nil, fmt.Errorf("strategy: winner-take-all needs a channel axis 1, got shape %v", shape)
	}
	if !x.SameShape(u) {
		return nil, fmt.Errorf("strategy: random numbers of shape %v do not match input of shape %v", u.Shape(), shape)
	}
	if k < 1 {
		return nil, fmt.Errorf("strategy: winner-take-all needs k >= 1, got %d", k)
	}
	C := shape[1]
	inner := 1
	for _, d := range shape[2:] {
		inner *= d
	}
	outer := shape[0]
	xd, ud := x.Data(), u.Data()
	mask := tensor.New(shape...)
	md := mask.Data()
	pos := make([]float32, C)
	top := make([]float32, 0, k)
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			base := o*C*inner + in
			for c := 0; c < C; c++ {
				i := base + c*inner
				pos[c] = xd[i] * ud[i]
			}
			kth := kthLargest(pos, k, top)
			for c := 0; c < C; c++ {
				if pos[c] >= kth {
					md[base+c*inner] = 1
				}
			}
		}
	}
	return mask, nil
}

// kthLargest returns the k-th largest value of v (the last of
// torch.topk(v, k) along the axis; NaN counts as largest, as torch.topk
// and torch.max treat it), or the smallest when k > len(v). top is
// scratch space with capacity k.
func kthLargest(v []float32, k int, top []float32) float32 {
	if k > len(v) {
		k = len(v)
	}
	top = top[:0]
	// Keep the k largest seen so far, sorted descending (k is small).
	for _, x := range v {
		if len(top) < k {
			top = append(top, x)
		} else if !greater(x, top[k-1]) {
			continue
		} else {
			top[k-1] = x
		}
		for j := len(top) - 1; j > 0 && greater(top[j], top[j-1]); j-- {
			top[j], top[j-1] = top[j-1], top[j]
		}
	}
	return top[k-1]
}

// greater orders float32 with NaN above everything.
func greater(a, b float32) bool {
	if math.IsNaN(float64(b)) {
		return false
	}
	return a > b || math.IsNaN(float64(a))
}
