package tensor

import (
	"runtime"
	"sync"
)

// minParallel is the number of element operations below which a loop runs
// on the calling goroutine: spawning goroutines costs more than it saves.
const minParallel = 1 << 15

// ParallelFor calls fn(lo, hi) over disjoint ranges covering [0, n), using
// up to runtime.GOMAXPROCS goroutines. cost is the approximate work per
// index; when n*cost is small, fn(0, n) runs on the calling goroutine.
// ParallelFor returns when every call has returned.
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
		fn(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, hi)
	}
	fn(0, min(chunk, n))
	wg.Wait()
}
