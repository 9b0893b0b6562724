package models

import (
	"syscall"
	"testing"
	"time"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// BenchmarkTrainStep times one training step of each reference model at
// its reference batch size (mlp 128, cnn 64): forward over T steps, cross
// entropy, backward and Adam step, on batches of the embedded sample.
// Besides the elapsed time it reports cpu-ns/op, the process' CPU time
// per step.
func BenchmarkTrainStep(b *testing.B) {
	set, err := dataset.Sample(dataset.Train)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		batch int
	}{{"mlp", 128}, {"cnn", 64}} {
		b.Run(c.name, func(b *testing.B) {
			m, err := New(c.name, Config{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			m.SetTraining(true)
			opt, err := optim.NewAdam(nn.ParamVars(m), optim.DefaultAdam())
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float32, c.batch*set.ImageSize())
			y := make([]int, c.batch)
			idx := make([]int, c.batch)
			batches := set.N / c.batch
			b.ReportAllocs()
			b.ResetTimer()
			c0 := cpuTime()
			step := 0
			for b.Loop() {
				for i := range idx {
					idx[i] = step%batches*c.batch + i
				}
				step++
				set.Batch(idx, x, y)
				opt.ZeroGrad()
				xt, err := tensor.FromSlice(x, append([]int{c.batch}, m.InputShape()...)...)
				if err != nil {
					b.Fatal(err)
				}
				o, err := m.Forward(autograd.NewVar(xt, false))
				if err != nil {
					b.Fatal(err)
				}
				l, err := nn.CrossEntropy(Rates(o), y)
				if err != nil {
					b.Fatal(err)
				}
				if err := autograd.Backward(l, nil); err != nil {
					b.Fatal(err)
				}
				if err := opt.Step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(c.batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// cpuTime returns the CPU time the process has used so far: on a shared
// machine it varies less than the elapsed time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
