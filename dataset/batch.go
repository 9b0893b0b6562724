package dataset

import (
	"fmt"
	"math/rand/v2"
)

// permStream is the fixed second word of the PCG seed used by Perm.
const permStream = 0x9e3779b97f4a7c15

// pixelScale maps a pixel value p to float32(p) / float32(255).
var pixelScale = func() (t [256]float32) {
	for p := range t {
		t[p] = float32(p) / float32(255)
	}
	return t
}()

// Perm returns a pseudo-random permutation of 0..n-1 determined by seed. It
// shuffles with the Fisher-Yates algorithm driven by a math/rand/v2 PCG
// source seeded with (seed, 0x9e3779b97f4a7c15), so the same seed always
// gives the same permutation. Perm panics if n is negative.
func Perm(n int, seed uint64) []int {
	if n < 0 {
		panic(fmt.Sprintf("dataset: Perm(%d): negative size", n))
	}
	rng := rand.New(rand.NewPCG(seed, permStream))
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(rng.Uint64N(uint64(i + 1)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Batch writes the images s.Image(idx[k]) for k = 0..len(idx)-1 to
// dst[k*Rows*Cols:(k+1)*Rows*Cols] as float32 values float32(p)/float32(255),
// which lie in [0, 1], and their labels to labels[k]. Only the first
// len(idx)*Rows*Cols elements of dst and len(idx) elements of labels are
// written. Batch panics if dst or labels is too short or an index is out of
// range.
func (s *Set) Batch(idx []int, dst []float32, labels []int) {
	size := s.ImageSize()
	if len(dst) < len(idx)*size {
		panic(fmt.Sprintf("dataset: Batch: dst has %d elements, need %d", len(dst), len(idx)*size))
	}
	if len(labels) < len(idx) {
		panic(fmt.Sprintf("dataset: Batch: labels has %d elements, need %d", len(labels), len(idx)))
	}
	for k, i := range idx {
		if i < 0 || i >= s.N {
			panic(fmt.Sprintf("dataset: Batch: index %d out of range [0,%d)", i, s.N))
		}
		out := dst[k*size : (k+1)*size]
		for j, p := range s.Images[i*size : (i+1)*size] {
			out[j] = pixelScale[p]
		}
		labels[k] = int(s.Labels[i])
	}
}

// Loader iterates over a Set in mini-batches, in a given order. The last
// batch is kept even if it is smaller than the batch size. The slices
// returned by Next are reused, so they are only valid until the next call to
// Next or Reset.
//
// A typical epoch loop:
//
//	ld := dataset.NewLoader(set, 64, dataset.Perm(set.N, seed))
//	for x, y, ok := ld.Next(); ok; x, y, ok = ld.Next() {
//		// x holds len(y) images of set.Rows*set.Cols pixels.
//	}
//	ld.Reset(dataset.Perm(set.N, seed+1)) // next epoch, new order
type Loader struct {
	set   *Set
	batch int
	order []int
	pos   int
	x     []float32
	y     []int
}

// NewLoader returns a Loader yielding batches of up to batch images of set,
// visiting the indices in perm in order; a nil perm means 0..set.N-1. perm
// need not cover every image, but every entry must be a valid index. perm is
// copied. NewLoader panics if batch is not positive or perm holds an index out
// of range.
func NewLoader(set *Set, batch int, perm []int) *Loader {
	if batch <= 0 {
		panic(fmt.Sprintf("dataset: NewLoader: batch size %d, want > 0", batch))
	}
	l := &Loader{set: set, batch: batch}
	l.Reset(perm)
	return l
}

// Reset rewinds the loader to the first batch. If perm is not nil it replaces
// the visiting order (see NewLoader); Reset panics if perm holds an index out
// of range.
func (l *Loader) Reset(perm []int) {
	l.pos = 0
	if perm == nil {
		if l.order != nil {
			return
		}
		l.order = make([]int, l.set.N)
		for i := range l.order {
			l.order[i] = i
		}
		return
	}
	for _, i := range perm {
		if i < 0 || i >= l.set.N {
			panic(fmt.Sprintf("dataset: Loader: index %d out of range [0,%d)", i, l.set.N))
		}
	}
	l.order = append(l.order[:0], perm...)
}

// Len returns the number of batches in one pass, including a final partial
// batch.
func (l *Loader) Len() int { return (len(l.order) + l.batch - 1) / l.batch }

// BatchSize returns the maximum number of images per batch.
func (l *Loader) BatchSize() int { return l.batch }

// Next returns the next batch: x holds len(y) images of Rows*Cols pixels
// scaled as by Set.Batch, and y their labels. ok is false, with nil x and y,
// once the pass is complete. The returned slices are reused by later calls.
func (l *Loader) Next() (x []float32, y []int, ok bool) {
	if l.pos >= len(l.order) {
		return nil, nil, false
	}
	idx := l.order[l.pos:min(l.pos+l.batch, len(l.order))]
	l.pos += len(idx)
	if len(l.y) < len(idx) {
		n := min(l.batch, len(l.order))
		l.x = make([]float32, n*l.set.ImageSize())
		l.y = make([]int, n)
	}
	x = l.x[:len(idx)*l.set.ImageSize()]
	y = l.y[:len(idx)]
	l.set.Batch(idx, x, y)
	return x, y, true
}
