package models

import (
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// setSparse sets the SparseMode of every Linear and Conv2d of m.
func setSparse(t testing.TB, m Model, mode nn.SparseMode) {
	t.Helper()
	err := nn.Walk(m, func(_ string, mod nn.Module) error {
		switch l := mod.(type) {
		case *nn.Linear:
			l.Sparse = mode
		case *nn.Conv2d:
			l.Sparse = mode
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEventDrivenSameBits trains both reference models for a few steps
// with the event-driven layers always on (wherever an input is spikes:
// the mlp's fc2, the cnn's conv2 and fc), off, and chosen by density, and
// checks that the losses, weights, Adam state and BatchNorm statistics
// are bit-identical: the event-driven kernels add in the dense path's
// order.
func TestEventDrivenSameBits(t *testing.T) {
	for _, tc := range []struct {
		name         string
		batch, steps int
	}{{"mlp", 40, 3}, {"cnn", 16, 2}} { // mlp: 320 rows into fc2, two depth blocks
		t.Run(tc.name, func(t *testing.T) {
			var runs []*reproRun
			for _, mode := range []nn.SparseMode{nn.SparseOff, nn.SparseOn, nn.SparseAuto} {
				m, err := New(tc.name, Config{Seed: 1})
				if err != nil {
					t.Fatal(err)
				}
				setSparse(t, m, mode)
				runs = append(runs, reproTrainModel(t, m, tc.batch, tc.steps, 2))
			}
			for i, mode := range []string{"on", "auto"} {
				if d := runs[i+1].firstDiff(runs[0]); d != "" {
					t.Errorf("%s with the event-driven layers %s differs from off: %s", tc.name, mode, d)
				}
			}
		})
	}
}

// BenchmarkEventDriven times a training step and an inference batch of
// each reference model at its reference batch size with the event-driven
// layers chosen by density (path=auto, the default) and off (path=dense),
// side by side in one run:
//
//	go test -run '^$' -bench EventDriven -count 5 ./models > ed.txt
//	benchstat -col /path ed.txt
//
// The models are trained for 20 steps first (from seed 1, on the embedded
// sample), so that their firing rates are past their initial values.
func BenchmarkEventDriven(b *testing.B) {
	set, err := dataset.Sample(dataset.Train)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		batch int
	}{{"mlp", 128}, {"cnn", 64}} {
		for _, p := range []struct {
			name string
			mode nn.SparseMode
		}{{"auto", nn.SparseAuto}, {"dense", nn.SparseOff}} {
			m, err := New(c.name, Config{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			setSparse(b, m, p.mode)
			m.SetTraining(true)
			opt, err := optim.NewAdam(nn.ParamVars(m), optim.DefaultAdam())
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float32, c.batch*set.ImageSize())
			y := make([]int, c.batch)
			idx := make([]int, c.batch)
			batches := set.N / c.batch
			step := 0
			trainStep := func() error {
				for i := range idx {
					idx[i] = step%batches*c.batch + i
				}
				step++
				set.Batch(idx, x, y)
				opt.ZeroGrad()
				xt, err := tensor.FromSlice(x, append([]int{c.batch}, m.InputShape()...)...)
				if err != nil {
					return err
				}
				o, err := m.Forward(autograd.NewVar(xt, false))
				if err != nil {
					return err
				}
				l, err := nn.CrossEntropy(Rates(o), y)
				if err != nil {
					return err
				}
				if err := autograd.Backward(l, nil); err != nil {
					return err
				}
				return opt.Step()
			}
			for range 20 {
				if err := trainStep(); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("model="+c.name+"/phase=train/path="+p.name, func(b *testing.B) {
				for b.Loop() {
					if err := trainStep(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(c.batch*b.N)/b.Elapsed().Seconds(), "samples/s")
			})
			b.Run("model="+c.name+"/phase=infer/path="+p.name, func(b *testing.B) {
				set.Batch(idx, x, y)
				xt, err := tensor.FromSlice(x, append([]int{c.batch}, m.InputShape()...)...)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := m.Infer(xt); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(c.batch*b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
