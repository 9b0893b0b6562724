package autograd

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"unsafe"

	"github.com/spikego/spikego/tensor"
)

// Pool keeps the float32 buffers of one owner (a layer, a neuron node)
// from one training step to the next, so that a step allocates no large
// buffer once the first steps have filled the pools. Its zero value is
// ready to use; a nil *Pool is valid too and hands out new memory only.
// A Pool is safe for concurrent use; it must not be copied after first
// use.
//
// Buffers reach a Pool in three ways, each with a simple lifetime:
//
//   - Context.Buffer in a Function's Forward: the output and what the
//     Function saves for Backward. When the node is recorded on a tape,
//     the buffers return to the pool when a Backward through the node
//     returns. When it is not (no input needs a gradient, as under
//     NoGrad), they are new memory, the caller's for good; and from the
//     second such Forward in a row, the pool leaves its free buffers to
//     the garbage collector, so that an evaluation between training
//     epochs keeps no idle training memory alive, while a single
//     inference batch between two steps costs the next step nothing (a
//     recorded step fills the pool again).
//   - Context.GradBuffer in a Function's Backward: the gradient of an
//     input. It returns to the pool as soon as no pending gradient of the
//     running Backward holds it, or is kept by the leaf Var whose
//     gradient it becomes.
//   - Get and Put: scratch memory that the owner gives back itself.
//
// So the values a recorded Forward computed stay valid until the owner
// runs a Forward again after a Backward through them; see the package
// documentation.
//
// A buffer's contents are undefined when it is handed out. Built with the
// poolpoison tag (go test -tags poolpoison), a Pool fills every buffer
// with NaNs first, so that a Function that reads what it has not written
// shows in its results.
type Pool struct {
	mu   sync.Mutex
	free [][]float32
	// inferred counts the Forwards without a tape since the last one
	// with a tape.
	inferred int
}

// poolMax is the most free buffers a Pool keeps; more are left to the
// garbage collector. A layer needs a few per step (its output, what it
// saves, the gradient of its input), and one set per use of the layer in
// a step.
const poolMax = 64

// Get returns a buffer of n floats, with undefined contents: the smallest
// free buffer of the pool that holds n and is not much larger, or new
// memory when there is none (or p is nil). Give it back with Put.
func (p *Pool) Get(n int) []float32 { return p.get(n, nil) }

// sizeClass returns the capacity a Pool allocates for n floats: n rounded
// up to the next of 8 classes per power of two, so that requests whose
// size varies a little from step to step (the lists of the event-driven
// kernels) reuse one buffer.
func sizeClass(n int) int {
	if n <= 64 {
		return n
	}
	shift := bits.Len(uint(n)) - 4 // the 4 leading bits of the class
	c := (n + 1<<shift - 1) >> shift << shift
	return c
}

// fits reports whether a free buffer of capacity c may serve a request of
// n floats: it holds them and is at most twice their size class, so that
// small requests do not take the buffers of large ones.
func fits(c, n int) bool { return c >= n && c <= 2*sizeClass(n) }

// Put gives b back to the pool for a later Get. The caller must not use b
// afterwards.
func (p *Pool) Put(b []float32) {
	if p == nil || cap(b) == 0 {
		return
	}
	p.mu.Lock()
	if len(p.free) < poolMax {
		p.free = append(p.free, b[:cap(b)])
	}
	p.mu.Unlock()
}

// get is Get avoiding any free buffer that shares memory with a tensor
// of avoid.
func (p *Pool) get(n int, avoid []*tensor.Tensor) []float32 {
	if p != nil && avoid != nil {
		p.mu.Lock()
		p.inferred = 0 // a Forward with a tape
		p.mu.Unlock()
	}
	return p.obtain(n, avoid)
}

// obtain is get without counting a Forward with a tape.
func (p *Pool) obtain(n int, avoid []*tensor.Tensor) []float32 {
	if p == nil || n == 0 {
		return make([]float32, n)
	}
	p.mu.Lock()
	best := -1
	for i, b := range p.free {
		if !fits(cap(b), n) || (best >= 0 && cap(b) >= cap(p.free[best])) || overlapsAny(b, avoid) {
			continue
		}
		best = i
	}
	if best < 0 {
		p.mu.Unlock()
		b := make([]float32, n, sizeClass(n))
		if poison {
			nan := float32(math.NaN())
			for i := range b {
				b[i] = nan
			}
		}
		return b
	}
	b := p.free[best]
	last := len(p.free) - 1
	p.free[best] = p.free[last]
	p.free[last] = nil
	p.free = p.free[:last]
	p.mu.Unlock()
	b = b[:n]
	if poison {
		nan := float32(math.NaN())
		for i := range b {
			b[i] = nan
		}
	}
	return b
}

// take removes b from the free buffers and reports whether it was there.
func (p *Pool) take(b []float32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, f := range p.free {
		if unsafe.SliceData(f) == unsafe.SliceData(b) {
			last := len(p.free) - 1
			p.free[i] = p.free[last]
			p.free[last] = nil
			p.free = p.free[:last]
			return true
		}
	}
	return false
}

// overlapsAny reports whether b shares memory with one of ts.
func overlapsAny(b []float32, ts []*tensor.Tensor) bool {
	for _, t := range ts {
		if t != nil && overlaps(b, t.Data()) {
			return true
		}
	}
	return false
}

// overlaps reports whether the first cap(a) and len(b) elements of a and
// b share memory.
func overlaps(a, b []float32) bool {
	if cap(a) == 0 || len(b) == 0 {
		return false
	}
	const size = unsafe.Sizeof(float32(0))
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(len(b))*size && b0 < a0+uintptr(cap(a))*size
}

// pooled is a buffer lent by a Pool.
type pooled struct {
	p *Pool
	b []float32
}

// view returns a tensor of the given shape over b. It panics when b does
// not hold the shape: a programmer error of the Function asking for it.
func view(b []float32, shape []int) *tensor.Tensor {
	t, err := tensor.FromSlice(b, shape...)
	if err != nil {
		panic(fmt.Sprintf("autograd: buffer of shape %v: %v", shape, err))
	}
	return t
}

// numel returns the number of elements of shape, panicking on a negative
// dimension or a shape too large for a tensor: a programmer error of the
// Function asking for the buffer, which checks its shapes first.
func numel(shape []int) int {
	n, err := tensor.Numel(shape...)
	if err != nil {
		panic(fmt.Sprintf("autograd: buffer: %v", err))
	}
	return n
}

// Buffer returns a tensor of the given shape for a Function's Forward to
// write its output, or something it saves for Backward, into. Its
// contents are undefined: the Function must write every element (or
// clear it first). When the node is recorded on the tape (an input needs
// a gradient), it comes from p, shares no memory with the Function's
// inputs, and goes back to p when a Backward through the node returns;
// the values stay as they are until p hands the buffer out again, in a
// later Forward or Backward of p's owner. Otherwise, when an input
// carries a Scope, it comes from p through the scope, shares no memory
// with the inputs, and goes back to p when the scope is released; else
// the buffer is new memory, the caller's for good (and p may drop its
// free buffers, see Pool).
func (c *Context) Buffer(p *Pool, shape ...int) *tensor.Tensor {
	if !c.AnyNeedsGrad() {
		if c.scope != nil && p != nil {
			return view(c.scope.lend(p, numel(shape), c.vals), shape)
		}
		if p != nil && !slices.Contains(c.inferred, p) {
			c.inferred = append(c.inferred, p)
			p.infer()
		}
		return view(make([]float32, numel(shape)), shape)
	}
	b := p.get(numel(shape), c.vals)
	if p != nil && len(b) > 0 {
		c.owned = append(c.owned, pooled{p, b})
	}
	return view(b, shape)
}

// infer counts a Forward without a tape and, from the second in a row,
// leaves the free buffers to the garbage collector.
func (p *Pool) infer() {
	p.mu.Lock()
	p.inferred++
	if p.inferred >= 2 {
		clear(p.free)
		p.free = p.free[:0]
	}
	p.mu.Unlock()
}

// GradBuffer returns a tensor of the given shape (that of input i) for a
// Function's Backward to write the gradient of input i into and return.
// Its contents are undefined: the Function must write every element (or
// clear it first). When input i is a leaf without a gradient whose
// earlier gradient was recycled (Var.RecycleGrad) with this shape, the
// buffer is that gradient's storage, which the leaf takes back as its
// gradient when Backward returns the buffer for input i. Otherwise it
// comes from p and returns to p once the gradient has been consumed: once
// no gradient still pending in the running Backward shares its memory (a
// leaf that takes it as its gradient keeps it). With a nil p, the pool is
// that of the memory of input i: the pool of the first Buffer of the node
// that made input i, looking through nodes without one (views such as
// Reshape); Functions that own no pool use it. Called outside a Backward,
// GradBuffer simply hands out memory from p for good.
func (c *Context) GradBuffer(i int, p *Pool, shape ...int) *tensor.Tensor {
	n := numel(shape)
	st := c.bw
	if st != nil && i >= 0 && i < len(c.vars) {
		v := c.vars[i]
		if v != nil && v.creator == nil && v.grad == nil && v.spare != nil &&
			v.spare.Len() == n && !st.lent(v) && sameShape(v.spare, shape) {
			st.spares = append(st.spares, v)
			return v.spare
		}
		if p == nil && v != nil && v.creator != nil {
			p = v.creator.ctx.home
		}
	}
	b := p.get(n, nil)
	if st != nil && p != nil && n > 0 {
		st.mu.Lock()
		st.live = append(st.live, pooled{p, b})
		st.mu.Unlock()
	}
	return view(b, shape)
}

// sameShape reports whether t has the given shape.
func sameShape(t *tensor.Tensor, shape []int) bool {
	if t.Dims() != len(shape) {
		return false
	}
	for i, d := range shape {
		if t.Dim(i) != d {
			return false
		}
	}
	return true
}

// release gives the buffers of a recorded Forward back to their pools,
// once a Backward through its node has returned.
func (c *Context) release() {
	if len(c.owned) == 0 {
		return
	}
	for _, o := range c.owned {
		o.p.Put(o.b)
	}
	c.released = true
}

// reclaim takes the buffers of a released node back from their pools,
// for a second Backward through it. It is an error when one of them has
// been handed out again since.
func (c *Context) reclaim(fn Function) error {
	for k, o := range c.owned {
		if !o.p.take(o.b) {
			// Give back what was taken, so the pools stay as they were.
			for _, t := range c.owned[:k] {
				t.p.Put(t.b)
			}
			return fmt.Errorf("autograd: Backward through %T again after its layer ran forward since the last Backward through it: the values it saved were overwritten", fn)
		}
	}
	c.released = false
	return nil
}

// backwardState is what a running Backward keeps besides the pending
// gradients: the pooled gradient buffers that may still hold one, and
// the leaves whose recycled gradient storage was lent to a Function.
type backwardState struct {
	mu     sync.Mutex
	live   []pooled
	spares []*Var
}

// lent reports whether v's spare gradient storage is lent out already.
func (s *backwardState) lent(v *Var) bool {
	for _, w := range s.spares {
		if w == v {
			return true
		}
	}
	return false
}

// sweep gives back to their pools the live buffers that no pending
// gradient shares memory with.
func (s *backwardState) sweep(pending map[*node]*tensor.Tensor) {
	kept := s.live[:0]
	for _, l := range s.live {
		held := false
		for _, g := range pending {
			if g != nil && overlaps(l.b, g.Data()) {
				held = true
				break
			}
		}
		if held {
			kept = append(kept, l)
			continue
		}
		l.p.Put(l.b)
	}
	clear(s.live[len(kept):])
	s.live = kept
}

// disown removes from the live buffers those sharing memory with g,
// which a leaf takes as its gradient.
func (s *backwardState) disown(g *tensor.Tensor) {
	kept := s.live[:0]
	for _, l := range s.live {
		if !overlaps(l.b, g.Data()) {
			kept = append(kept, l)
		}
	}
	clear(s.live[len(kept):])
	s.live = kept
}
