package models

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/tensor"
)

// stepper runs training steps of a model on consecutive batches of the
// embedded sample: forward over T steps, cross entropy on the firing
// rates, backward and an Adam step, as train and BenchmarkTrainStep do.
type stepper struct {
	m     *snn.Net
	opt   *optim.Adam
	set   *dataset.Set
	batch int
	x     []float32
	y     []int
	idx   []int
	n     int // steps run
}

func newStepper(t testing.TB, name string, batch int) *stepper {
	t.Helper()
	set, err := dataset.Sample(dataset.Train)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(name, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m.SetTraining(true)
	opt, err := optim.NewAdam(nn.ParamVars(m), optim.DefaultAdam())
	if err != nil {
		t.Fatal(err)
	}
	return &stepper{m: m, opt: opt, set: set, batch: batch,
		x: make([]float32, batch*set.ImageSize()), y: make([]int, batch), idx: make([]int, batch)}
}

// input returns the next batch as a tensor [B, ...].
func (s *stepper) input(t testing.TB) *tensor.Tensor {
	t.Helper()
	batches := s.set.N / s.batch
	for i := range s.idx {
		s.idx[i] = s.n%batches*s.batch + i
	}
	s.n++
	s.set.Batch(s.idx, s.x, s.y)
	xt, err := tensor.FromSlice(s.x, append([]int{s.batch}, s.m.InputShape()...)...)
	if err != nil {
		t.Fatal(err)
	}
	return xt
}

// step runs one training step and returns the model's output.
func (s *stepper) step(t testing.TB) *autograd.Var {
	t.Helper()
	xt := s.input(t)
	s.opt.ZeroGrad()
	o, err := s.m.Forward(autograd.NewVar(xt, false))
	if err != nil {
		t.Fatal(err)
	}
	l, err := nn.CrossEntropy(Rates(o), s.y)
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(l, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.opt.Step(); err != nil {
		t.Fatal(err)
	}
	return o
}

// activationBytes returns the bytes of the outputs of every layer of the
// model in a forward pass on the next batch: the memory a training step's
// activations take at the least (what the layers save for the backward
// pass and the gradients come on top). It runs without a tape, so that
// the layers' pools keep their buffers.
func (s *stepper) activationBytes(t testing.TB) int {
	t.Helper()
	x := autograd.Const(s.input(t))
	T, static := s.m.Steps(), true
	total := 0
	err := autograd.NoGrad(func() error {
		for i, l := range s.m.Sequential().Modules {
			var err error
			if x, static, err = nn.ForwardTime(l, x, T, static); err != nil {
				return fmt.Errorf("layer %d: %w", i, err)
			}
			total += 4 * x.Value().Len()
		}
		return nil
	}, nn.ParamVars(s.m)...)
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// TestTrainStepAllocatesLittle checks that a training step of each
// reference model allocates almost nothing once warmed up: the layers'
// outputs, the saved tensors and the gradients come from the layers'
// pools (autograd.Pool) and the parameters' recycled gradients, so the
// bytes allocated per step stay below 1% of the step's activations
// (the few small tensors of the loss, the tape's nodes and the
// goroutines' closures remain).
func TestTrainStepAllocatesLittle(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector's sync.Pool drops buffers at random, so tensor.Gemm allocates its packing buffers again")
	}
	for _, tc := range []struct {
		name  string
		batch int
	}{{"mlp", 128}, {"cnn", 64}} {
		t.Run(tc.name, func(t *testing.T) {
			// Two workers, as on the project's reference machine: every
			// ParallelFor and Gemm call allocates a few small closures
			// per worker, and with many workers on few cores the
			// packing buffers take longer to settle.
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
			s := newStepper(t, tc.name, tc.batch)
			act := s.activationBytes(t)
			// No garbage collection during the test: a collection empties
			// the sync.Pool of tensor.Gemm's packing buffers, which the
			// next steps allocate again. It is rare in training, where
			// a step leaves little garbage, but would fall at random on
			// the measured steps.
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			for range 6 { // fill the pools and the optimizer's state
				s.step(t)
			}
			const steps = 6
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range steps {
				s.step(t)
			}
			runtime.ReadMemStats(&after)
			perStep := int(after.TotalAlloc-before.TotalAlloc) / steps
			t.Logf("%s: %d bytes allocated per step (%d allocations), activations %d bytes",
				tc.name, perStep, int(after.Mallocs-before.Mallocs)/steps, act)
			if perStep > act/100 {
				t.Errorf("%s: a training step allocates %d bytes, more than 1%% of its %d bytes of activations",
					tc.name, perStep, act)
			}
		})
	}
}
