package tensor_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spikego/spikego/tensor"
)

// recoverParallelFor calls ParallelFor(n, cost, fn) and returns what a
// recover in the caller gets (nil when nothing panicked).
func recoverParallelFor(n, cost int, fn func(lo, hi int)) (r any) {
	defer func() { r = recover() }()
	tensor.ParallelFor(n, cost, fn)
	return nil
}

// boom is a panic value that is not an error.
type boom struct{ at int }

// TestParallelForPanicReachesCaller makes fn panic at one index, in the
// first range, a middle one or the last, on one goroutine or several, and
// checks that the caller recovers a *PanicError holding the original
// value, the range that holds the index and the stack of the panic, and
// that every other range had been processed in full when it did.
func TestParallelForPanicReachesCaller(t *testing.T) {
	const n, cost = 1000, 1000 // parallel whenever GOMAXPROCS > 1
	for _, procs := range []int{1, 2, 3, 8, 16} {
		for _, at := range []int{0, 499, n - 1} {
			withProcs(procs, func() {
				var done atomic.Int64 // indices processed
				r := recoverParallelFor(n, cost, func(lo, hi int) {
					if lo <= at && at < hi {
						panic(boom{at})
					}
					time.Sleep(time.Millisecond) // finish after the panic
					done.Add(int64(hi - lo))
				})
				p, ok := r.(*tensor.PanicError)
				if !ok {
					t.Fatalf("procs=%d at=%d: recovered %T %v, want *tensor.PanicError", procs, at, r, r)
				}
				if p.Value != (boom{at}) {
					t.Errorf("procs=%d at=%d: Value %v, want %v", procs, at, p.Value, boom{at})
				}
				if !(p.Lo <= at && at < p.Hi) {
					t.Errorf("procs=%d at=%d: range [%d, %d) does not hold the index", procs, at, p.Lo, p.Hi)
				}
				if got, want := done.Load(), int64(n-(p.Hi-p.Lo)); got != want {
					t.Errorf("procs=%d at=%d: %d indices processed when the panic reached the caller, want %d", procs, at, got, want)
				}
				if !strings.Contains(string(p.Stack), "TestParallelForPanicReachesCaller") {
					t.Errorf("procs=%d at=%d: stack does not show the panicking function:\n%s", procs, at, p.Stack)
				}
				msg := p.Error()
				for _, s := range []string{"tensor: ParallelFor: panic in fn(", fmt.Sprint(boom{at}), "TestParallelForPanicReachesCaller"} {
					if !strings.Contains(msg, s) {
						t.Errorf("procs=%d at=%d: message lacks %q:\n%s", procs, at, s, msg)
					}
				}
			})
		}
	}
}

// TestParallelForPanicFirstRange checks that when every range panics, the
// caller gets the panic of the first range, whatever the goroutines'
// order of completion.
func TestParallelForPanicFirstRange(t *testing.T) {
	withProcs(4, func() {
		for range 20 {
			r := recoverParallelFor(4000, 1000, func(lo, hi int) {
				if lo == 0 {
					time.Sleep(time.Millisecond)
				}
				panic(lo)
			})
			p, ok := r.(*tensor.PanicError)
			if !ok || p.Value != 0 || p.Lo != 0 {
				t.Fatalf("recovered %v, want the panic of the range starting at 0", r)
			}
		}
	})
}

// TestParallelForPanicUnwrap checks that a runtime error raised in a
// worker can be found with errors.As, and that a panic in a nested
// ParallelFor reaches the outer caller with the inner range.
func TestParallelForPanicUnwrap(t *testing.T) {
	withProcs(4, func() {
		var s []float32
		r := recoverParallelFor(4, 1<<20, func(lo, hi int) {
			if lo == 2 {
				_ = s[lo] // index out of range
			}
		})
		err, ok := r.(error)
		if !ok {
			t.Fatalf("recovered %T, want an error", r)
		}
		var re runtime.Error
		if !errors.As(err, &re) || !strings.Contains(re.Error(), "index out of range") {
			t.Errorf("errors.As(%v, runtime.Error) = %v", err, re)
		}

		r = recoverParallelFor(4, 1<<20, func(lo, hi int) {
			tensor.ParallelFor(1000, 1000, func(lo2, hi2 int) {
				if lo == 3 && lo2 == 0 {
					panic("inner")
				}
			})
		})
		p, ok := r.(*tensor.PanicError)
		if !ok || p.Value != "inner" || p.Lo != 0 || p.Hi == 4 {
			t.Errorf("nested: recovered %#v, want the inner range's *PanicError", r)
		}
	})
}

// TestParallelForGoexit checks that runtime.Goexit in a worker ends the
// calling goroutine (as it would on one goroutine) instead of letting it
// continue past a half-done loop.
func TestParallelForGoexit(t *testing.T) {
	withProcs(4, func() {
		var after, deferred atomic.Bool
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer deferred.Store(true)
			tensor.ParallelFor(4, 1<<20, func(lo, hi int) {
				if lo == 3 {
					runtime.Goexit()
				}
			})
			after.Store(true)
		}()
		wg.Wait()
		if after.Load() || !deferred.Load() {
			t.Errorf("after Goexit in a worker: code after ParallelFor ran %v, deferred calls ran %v; want false, true", after.Load(), deferred.Load())
		}
	})
}

// BenchmarkParallelFor times the overhead of ParallelFor around a trivial
// function: on the calling goroutine (small n·cost) and on GOMAXPROCS
// goroutines.
func BenchmarkParallelFor(b *testing.B) {
	sink := make([]float32, 1<<16)
	fill := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			sink[i] = 1
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tensor.ParallelFor(64, 1, fill)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tensor.ParallelFor(len(sink), 1, fill)
		}
	})
}
