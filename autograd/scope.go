package autograd

import (
	"sync"

	"github.com/spikego/spikego/tensor"
)

// Scope lends the memory of the layers' pools to passes that record no
// tape, such as the batches of an evaluation, which would otherwise take
// new memory for every output and leave the old to the garbage
// collector. A Var made with Scope.Const carries the scope; a Function
// applied without a tape to an input that carries it takes its Buffers
// from its pool through the scope, and its output carries the scope in
// turn. The memory stays lent, untouched by training steps or other
// passes, until Release gives it back:
//
//	s := autograd.NewScope()
//	for each batch {
//		s.Release()                 // the previous batch's values are dead
//		out, err := model.Forward(s.Const(x))
//		... use out ...
//	}
//
// Release must only be called when no value computed through the scope
// is used any more (including the spikes that a node.Monitor recorded,
// and the last-step state of the nodes). A scope that is never released
// leaves its memory to the garbage collector once nothing refers to it.
// A Scope is safe for concurrent use, but Release must not run while a
// pass through the scope does.
type Scope struct {
	mu   sync.Mutex
	lent []pooled
}

// NewScope returns a scope that has lent nothing yet.
func NewScope() *Scope { return &Scope{} }

// Const returns a leaf Var holding t, requiring no gradient, whose
// passes without a tape take memory through s. t itself stays the
// caller's: no Function writes into its inputs.
func (s *Scope) Const(t *tensor.Tensor) *Var { return &Var{value: t, scope: s} }

// Release gives every buffer lent since the last Release back to its
// pool. The values computed through s before must not be used afterwards.
func (s *Scope) Release() {
	s.mu.Lock()
	lent := s.lent
	s.lent = nil
	s.mu.Unlock()
	for _, l := range lent {
		l.p.Put(l.b)
	}
}

// lend takes a buffer of n floats from p that shares no memory with
// avoid, and records it as lent.
func (s *Scope) lend(p *Pool, n int, avoid []*tensor.Tensor) []float32 {
	b := p.obtain(n, avoid)
	if len(b) > 0 {
		s.mu.Lock()
		s.lent = append(s.lent, pooled{p, b})
		s.mu.Unlock()
	}
	return b
}
