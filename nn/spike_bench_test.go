package nn

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// The event-driven kernels against the dense ones on the reference models'
// layers fed by spikes, at several input densities (fraction of ones):
//
//	mlp fc2  Linear(800 -> 10)      on [T·B = 8·128, 800]
//	cnn fc   Linear(1568 -> 10)     on [T·B = 4·64, 1568]
//	cnn conv2 Conv2d(32 -> 32, 3x3)  on [T·B = 4·64, 32, 14, 14]
//
// Each benchmark runs the event-driven and the dense path (SparseOn,
// SparseOff) of one layer on the same input, so that their ratio comes
// from one run; benchstat puts them side by side:
//
//	go test -run '^$' -bench 'Spike(Linear|Conv)' -count 5 ./nn > spikes.txt
//	benchstat -col /path spikes.txt
//
// Besides the time per operation, each reports cpu-ns/op, the CPU time of
// the process (all goroutines) per operation: on a machine shared with
// other jobs it varies less than the elapsed time, and it measures the
// work of a kernel whatever its parallel efficiency.
var benchDensities = []float64{0.01, 0.05, 0.10, 0.20, 0.30, 0.40, 0.50, 1}

// benchSpikes returns a binary tensor of the given shape whose elements
// are 1 with probability density.
func benchSpikes(density float64, shape ...int) *tensor.Tensor {
	x := tensor.New(shape...)
	fillSpikes(NewRand(7), x.Data(), density)
	return x
}

var benchModes = []struct {
	name string
	mode SparseMode
}{{"event", SparseOn}, {"dense", SparseOff}}

type linearShape struct {
	name          string
	rows, in, out int
}

var benchLinearShapes = []linearShape{
	{"mlp_fc2", 8 * 128, 800, 10},
	{"cnn_fc", 4 * 64, 1568, 10},
}

// BenchmarkSpikeLinearForward measures the forward pass alone (inference).
func BenchmarkSpikeLinearForward(b *testing.B) {
	for _, sh := range benchLinearShapes {
		l, err := NewLinear(sh.in, sh.out, true, NewRand(1))
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range benchDensities {
			x := autograd.Const(benchSpikes(d, sh.rows, sh.in))
			for _, m := range benchModes {
				b.Run(fmt.Sprintf("layer=%s/density=%.2f/path=%s", sh.name, d, m.name), func(b *testing.B) {
					l.Sparse = m.mode
					err := autograd.NoGrad(func() error {
						benchLoop(b, func() error {
							_, err := l.Forward(x)
							return err
						})
						return nil
					}, l.Weight, l.Bias)
					if err != nil {
						b.Fatal(err)
					}
				})
			}
		}
	}
}

// BenchmarkSpikeLinearWeightGrad measures the weight and bias gradients
// (the input gradient is not asked for: the input is spikes from a node).
func BenchmarkSpikeLinearWeightGrad(b *testing.B) {
	for _, sh := range benchLinearShapes {
		l, err := NewLinear(sh.in, sh.out, true, NewRand(1))
		if err != nil {
			b.Fatal(err)
		}
		g := benchSpikes(0.5, sh.rows, sh.out) // any dense gradient
		for i, v := range g.Data() {
			g.Data()[i] = v - 0.25
		}
		for _, d := range benchDensities {
			x := autograd.Const(benchSpikes(d, sh.rows, sh.in))
			for _, m := range benchModes {
				b.Run(fmt.Sprintf("layer=%s/density=%.2f/path=%s", sh.name, d, m.name), func(b *testing.B) {
					l.Sparse = m.mode
					y, err := l.Forward(x)
					if err != nil {
						b.Fatal(err)
					}
					benchLoop(b, func() error {
						l.Weight.ZeroGrad()
						l.Bias.ZeroGrad()
						return autograd.Backward(y, g)
					})
				})
			}
		}
	}
}

// cpuTime returns the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLoop runs op b.N times and reports its CPU time per call as
// cpu-ns/op.
func benchLoop(b *testing.B, op func() error) {
	b.Helper()
	c0 := cpuTime()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// benchConv is the cnn's conv2 on T·B = 4·64 samples.
func benchConv(b *testing.B) *Conv2d {
	l, err := NewConv2d(32, 32, 3, 1, 1, true, NewRand(1))
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkSpikeConvForward measures the forward pass alone (inference).
func BenchmarkSpikeConvForward(b *testing.B) {
	l := benchConv(b)
	for _, d := range benchDensities {
		x := autograd.Const(benchSpikes(d, 4*64, 32, 14, 14))
		for _, m := range benchModes {
			b.Run(fmt.Sprintf("layer=cnn_conv2/density=%.2f/path=%s", d, m.name), func(b *testing.B) {
				l.Sparse = m.mode
				err := autograd.NoGrad(func() error {
					benchLoop(b, func() error {
						_, err := l.Forward(x)
						return err
					})
					return nil
				}, l.Weight, l.Bias)
				if err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

// BenchmarkSpikeConvWeightGrad measures the backward pass for the weight
// and bias gradients (the input gradient is not asked for).
func BenchmarkSpikeConvWeightGrad(b *testing.B) {
	l := benchConv(b)
	g := benchSpikes(0.5, 4*64, 32, 14, 14)
	for i, v := range g.Data() {
		g.Data()[i] = v - 0.25
	}
	for _, d := range benchDensities {
		x := autograd.Const(benchSpikes(d, 4*64, 32, 14, 14))
		for _, m := range benchModes {
			b.Run(fmt.Sprintf("layer=cnn_conv2/density=%.2f/path=%s", d, m.name), func(b *testing.B) {
				l.Sparse = m.mode
				y, err := l.Forward(x)
				if err != nil {
					b.Fatal(err)
				}
				benchLoop(b, func() error {
					l.Weight.ZeroGrad()
					l.Bias.ZeroGrad()
					return autograd.Backward(y, g)
				})
			})
		}
	}
}
