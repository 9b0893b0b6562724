package tensor

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// minParallel is the number of element operations below which a loop runs
// on the calling goroutine: spawning goroutines costs more than it saves.
const minParallel = 1 << 15

// ParallelFor calls fn(lo, hi) over disjoint ranges covering [0, n), using
// up to runtime.GOMAXPROCS goroutines. cost is the approximate work per
// index; when n*cost is small, fn(0, n) runs on the calling goroutine.
// ParallelFor returns when every call has returned.
//
// How [0, n) is cut depends on GOMAXPROCS. A fn whose results depend only
// on the indices it is given, not on the range, gives the same bits on
// any number of cores; a reduction must cut its own fixed blocks and
// hand them to ParallelFor as indices (see the package documentation).
//
// A panic in fn, on whichever goroutine it runs, is raised again on the
// calling goroutine once every call has returned, as a *PanicError that
// holds the value and the stack of the first range (lowest lo) that
// panicked; a recover in the caller therefore works. A call of
// runtime.Goexit in fn ends the calling goroutine likewise.
func ParallelFor(n, cost int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	workers := runtime.GOMAXPROCS(0)
	if cost < 1 {
		cost = 1
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 || n*cost < minParallel {
		var o outcome
		o.call(fn, 0, n)
		o.raise()
		return
	}
	chunk := (n + workers - 1) / workers
	chunks := (n + chunk - 1) / chunk
	var wg sync.WaitGroup
	outcomes := make([]outcome, chunks)
	for c := 1; c < chunks; c++ {
		wg.Add(1)
		go func(o *outcome, lo, hi int) {
			defer wg.Done()
			o.call(fn, lo, hi)
		}(&outcomes[c], c*chunk, min((c+1)*chunk, n))
	}
	outcomes[0].call(fn, 0, chunk)
	wg.Wait()
	for i := range outcomes {
		outcomes[i].raise()
	}
}

// outcome records how one call of a ParallelFor function ended.
type outcome struct {
	returned bool        // fn returned normally
	panicked *PanicError // fn panicked
}

// call calls fn(lo, hi), recovering a panic into o.
func (o *outcome) call(fn func(lo, hi int), lo, hi int) {
	defer func() {
		if o.returned {
			return
		}
		if r := recover(); r != nil {
			if p, ok := r.(*PanicError); ok {
				// A nested ParallelFor: keep the innermost range.
				o.panicked = p
				return
			}
			o.panicked = &PanicError{Value: r, Lo: lo, Hi: hi, Stack: debug.Stack()}
		}
		// Otherwise fn called runtime.Goexit.
	}()
	fn(lo, hi)
	o.returned = true
}

// raise re-raises on the calling goroutine what ended a call abnormally.
func (o *outcome) raise() {
	switch {
	case o.returned:
	case o.panicked != nil:
		panic(o.panicked)
	default:
		runtime.Goexit()
	}
}

// PanicError is the value ParallelFor panics with when the function it
// was given panicked: Value is what that function panicked with, Lo and
// Hi its range, Stack the stack of the goroutine that panicked, at the
// time of the panic.
type PanicError struct {
	Value  any
	Lo, Hi int
	Stack  []byte
}

// Error returns the panic value, the range and the stack trace.
func (p *PanicError) Error() string {
	return fmt.Sprintf("tensor: ParallelFor: panic in fn(%d, %d): %v\n\n%s", p.Lo, p.Hi, p.Value, p.Stack)
}

// Unwrap returns Value when it is an error (for errors.Is and errors.As),
// else nil.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
