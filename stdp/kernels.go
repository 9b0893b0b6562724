package stdp

import (
	"math"
	"math/bits"

	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

// useAsm selects the AVX2 kernels where the CPU has them; tests switch it
// off to check the pure-Go loops against them.
var useAsm = haveAVX2

// convSim is the fused simulation of STDPConv over T steps. Every
// position of every sample holds C neurons (one per channel) that
// interact only with each other (WTA and inhibition act across
// channels), so each position is simulated on its own over all T steps,
// its membranes in a small local array: nothing is allocated per step and
// the memory does not depend on T.
type convSim struct {
	B, C, P, T, k int
	tau           float32
	thr           []float32 // [C]
	inhThr        []float32 // [C]: inh*threshold, the inhibition of a loser
	draws         []strategy.Draws
	xs            []float32 // [B,C,P] shaped input
}

func (s *convSim) reset(B, C, P, T, k int, tau, inh float32, thr []float32, wta *strategy.WTALayer) {
	s.B, s.C, s.P, s.T, s.k, s.tau, s.thr = B, C, P, T, k, tau, thr
	s.inhThr = s.inhThr[:0]
	for _, v := range thr {
		s.inhThr = append(s.inhThr, inh*v)
	}
	s.draws = s.draws[:0]
	base := wta.Calls()
	for t := 0; t < T; t++ {
		s.draws = append(s.draws, wta.Draws(base+uint64(t)))
	}
	if cap(s.xs) < B*C*P {
		s.xs = make([]float32, B*C*P)
	}
	s.xs = s.xs[:B*C*P]
}

// shape fills xs with the shaped input of the convolution output y.
func (s *convSim) shape(y []float32) {
	C, P := s.C, s.P
	tensor.ParallelFor(s.B*C, P*16, func(lo, hi int) {
		for bc := lo; bc < hi; bc++ {
			n := s.thr[bc%C]
			q, r := shapeConsts(n)
			for i := bc * P; i < (bc+1)*P; i++ {
				s.xs[i], _, _ = shapeInput(y[i], n, q, r)
			}
		}
	})
}

// run simulates and writes the spike counts [B,C,P] into counts.
func (s *convSim) run(counts []float32) {
	C, P, T := s.C, s.P, s.T
	tensor.ParallelFor(s.B*P, T*C*4, func(lo, hi int) {
		w := newPosWorker(s)
		for bp := lo; bp < hi; bp++ {
			b, p := bp/P, bp%P
			base := b*C*P + p
			for c := 0; c < C; c++ {
				w.x[c] = s.xs[base+c*P]
			}
			w.simulate(s, base, P)
			for c := 0; c < C; c++ {
				counts[base+c*P] = w.cnt[c]
			}
		}
	})
}

// posWorker holds one goroutine's scratch space for convSim. With the
// AVX2 kernel, the arrays are padded to 16 neurons, the padding never
// spiking (threshold +Inf, input 0, inhibition 0).
type posWorker struct {
	mem, x, cnt, u, thr, inhThr []float32
	spk                         []int
	win                         []bool
	top                         []float32
	asm                         bool
}

func newPosWorker(s *convSim) *posWorker {
	C, n := s.C, s.C
	asm := useAsm && C <= 16
	if asm {
		n = 16
	}
	w := &posWorker{
		mem: make([]float32, n), x: make([]float32, n), cnt: make([]float32, n), u: make([]float32, C),
		thr: make([]float32, n), inhThr: make([]float32, n), spk: make([]int, 0, C), win: make([]bool, C),
		top: make([]float32, 0, s.k), asm: asm,
	}
	copy(w.thr, s.thr)
	copy(w.inhThr, s.inhThr)
	for c := C; c < n; c++ {
		w.thr[c] = float32(math.Inf(1))
	}
	return w
}

// convSpanGo charges mem with x for up to steps steps (at least 1),
// stopping after the first step where some mem > thr, and returns the
// number of steps run.
func convSpanGo(mem, x, thr []float32, tau float32, steps int) int {
	x, thr = x[:len(mem)], thr[:len(mem)]
	for t := 1; t <= steps; t++ {
		spiked := false
		for c, v := range mem {
			m := float32(v*tau) + x[c]
			mem[c] = m
			if m > thr[c] {
				spiked = true
			}
		}
		if spiked {
			return t
		}
	}
	return steps
}

// simulate runs the T steps of the C neurons of one position whose input
// is w.x[:C]; neuron c has flat index base + c*stride. Counts go to w.cnt.
func (w *posWorker) simulate(s *convSim, base, stride int) {
	C := s.C
	mem, cnt := w.mem[:C], w.cnt[:C]
	thr, inhThr := s.thr[:C], s.inhThr[:C]
	clear(w.mem)
	clear(w.cnt)
	for t := 0; t < s.T; {
		spk := w.spk[:0]
		if w.asm && s.k == 1 {
			// Steps with one spike are done inside the kernel.
			n, mask := convRun16(&w.mem[0], &w.x[0], &w.thr[0], &w.inhThr[0], &w.cnt[0], s.tau, s.T-t)
			t += n
			for ; mask != 0; mask &= mask - 1 {
				spk = append(spk, bits.TrailingZeros(uint(mask)))
			}
		} else {
			t += convSpanGo(w.mem, w.x, w.thr, s.tau, s.T-t)
			for c, m := range mem {
				if m > thr[c] {
					spk = append(spk, c)
				}
			}
		}
		if len(spk) == 0 {
			continue // only at the last step: nothing to do
		}
		for _, c := range spk {
			mem[c] *= 0
		}
		if len(spk) == 1 && s.k == 1 {
			// The only spike wins: inhibit every other neuron.
			win := spk[0]
			cnt[win]++
			for c := range mem {
				if c != win {
					mem[c] -= inhThr[c]
				}
			}
			continue
		}
		d := s.draws[t-1]
		for _, c := range spk {
			w.u[c] = d.At(base + c*stride)
		}
		selectWinners(spk, w.u, s.k, w.win, w.top)
		for c := range mem {
			if w.win[c] {
				cnt[c]++
				w.win[c] = false
			} else {
				mem[c] -= inhThr[c]
			}
		}
	}
}

// selectWinners marks in win the spiking neurons spk (spike value 1, so
// that pos = u) that WTALayer keeps among n neurons: those whose pos is
// at least the k-th largest pos, the silent neurons' pos being 0.
// Every u is at least 0.
func selectWinners(spk []int, u []float32, k int, win []bool, top []float32) {
	if k == 1 {
		mx := u[spk[0]]
		for _, c := range spk[1:] {
			mx = max32(mx, u[c])
		}
		for _, c := range spk {
			win[c] = u[c] >= mx
		}
		return
	}
	if len(spk) < k {
		// The k-th largest pos is a silent neuron's 0, or the smallest
		// spike's u when k > n: every spike is kept.
		for _, c := range spk {
			win[c] = true
		}
		return
	}
	top = top[:0]
	for _, c := range spk {
		v := u[c]
		if len(top) < k {
			top = append(top, v)
		} else if v > top[k-1] {
			top[k-1] = v
		} else {
			continue
		}
		for j := len(top) - 1; j > 0 && top[j] > top[j-1]; j-- {
			top[j], top[j-1] = top[j-1], top[j]
		}
	}
	kth := top[k-1]
	for _, c := range spk {
		win[c] = u[c] >= kth
	}
}

// linearSim is the fused simulation of STDPLinear over T steps, one
// sample at a time (WTA and inhibition act within a sample).
type linearSim struct {
	draws []strategy.Draws
}

func (s *linearSim) run(l *STDPLinear, T int) {
	B, N := l.B, l.cfg.Out
	s.draws = s.draws[:0]
	base := l.wta.Calls()
	for t := 0; t < T; t++ {
		s.draws = append(s.draws, l.wta.Draws(base+uint64(t)))
	}
	sp := &l.spikes
	sp.resize(B)
	tau, inh, k, thr := l.cfg.Tau, l.cfg.Inh, l.cfg.K, l.thr
	tensor.ParallelFor(B, T*N*2, func(lo, hi int) {
		mem := make([]float32, N)
		u := make([]float32, N)
		win := make([]bool, N)
		spk := make([]int, 0, N)
		idx := make([]int32, N)
		var winners []int
		var saved []float32
		top := make([]float32, 0, k)
		for b := lo; b < hi; b++ {
			cur := l.cur[b*N : (b+1)*N]
			maxI := cur[0]
			for _, v := range cur[1:] {
				if v > maxI || v != v {
					maxI = v
				}
			}
			inhMax := inh * maxI
			clear(mem)
			out := sp.per[b][:0]
			// The inhibition of step t is applied with the charge of step
			// t+1, as sub, to every neuron; the winners, which it spares,
			// are then charged again from their saved membranes.
			var sub float32
			winners, saved = winners[:0], saved[:0]
			for t := 0; t < T; t++ {
				spiked := linearStep(mem, cur, thr, tau, sub)
				for i, j := range winners {
					m := float32(saved[i]*tau) + cur[j]
					mem[j] = m
					spiked = spiked || m > thr[j]
				}
				sub, winners, saved = 0, winners[:0], saved[:0]
				if !spiked {
					continue
				}
				spk = scanSpikes(mem, thr, spk, idx)
				d := s.draws[t]
				for _, j := range spk {
					mem[j] *= 0
					u[j] = d.At(b*N + j)
				}
				if len(spk) == 0 {
					continue
				}
				selectWinners(spk, u, k, win, top)
				for _, j := range spk {
					if win[j] {
						win[j] = false
						winners = append(winners, j)
						saved = append(saved, mem[j])
						out = addSpike(out, int32(j))
					}
				}
				sub = inhMax
			}
			sp.per[b] = out
		}
	})
}

// scanSpikes returns in spk the neurons whose mem > thr, in increasing
// order; idx is scratch space of len(mem).
func scanSpikes(mem, thr []float32, spk []int, idx []int32) []int {
	n := len(mem)
	thr = thr[:n]
	spk = spk[:0]
	i := 0
	if useAsm && n >= 8 {
		i = n &^ 7
		k := linearScan8(&mem[0], &thr[0], i, &idx[0])
		for _, j := range idx[:k] {
			spk = append(spk, int(j))
		}
	}
	for ; i < n; i++ {
		if mem[i] > thr[i] {
			spk = append(spk, i)
		}
	}
	return spk
}

// linearStep charges every neuron: mem = (mem - sub)*tau + cur, each
// operation rounded to float32, and reports whether some mem > thr.
func linearStep(mem, cur, thr []float32, tau, sub float32) bool {
	n := len(mem)
	cur, thr = cur[:n], thr[:n]
	spiked := false
	i := 0
	if useAsm && n >= 8 {
		i = n &^ 7
		spiked = linearStep8(&mem[0], &cur[0], &thr[0], i, tau, sub)
	}
	for ; i < n; i++ {
		m := float32(float32(mem[i]-sub)*tau) + cur[i]
		mem[i] = m
		if m > thr[i] {
			spiked = true
		}
	}
	return spiked
}

// addSpike adds one spike of neuron j to the sparse counts of a sample.
func addSpike(out []Spike, j int32) []Spike {
	for i := range out {
		if out[i].Neuron == j {
			out[i].Count++
			return out
		}
	}
	return append(out, Spike{Neuron: j, Count: 1})
}
