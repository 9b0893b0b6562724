package models

import (
	"context"
	"fmt"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/tensor"
)

// labelled wraps a layer of a network so that a CPU profile tells its
// time apart: its forward pass runs under the profiler labels
// layer=<name> pass=forward, and its output passes through an identity
// operation whose Backward sets layer=<name> pass=backward for the
// goroutine, so that the nodes of the layer that Backward runs next (and
// the goroutines they start) carry them. In a chain of layers Backward
// visits each layer's nodes right after the identity on its output.
type labelled struct {
	name  string
	inner nn.Module
	ctx   context.Context
}

func (l *labelled) Forward(x *autograd.Var) (*autograd.Var, error) {
	y, _, err := l.ForwardTime(x, 1, false)
	return y, err
}

func (l *labelled) ForwardTime(x *autograd.Var, T int, static bool) (y *autograd.Var, yStatic bool, err error) {
	pprof.Do(l.ctx, pprof.Labels("layer", l.name, "pass", "forward"), func(context.Context) {
		y, yStatic, err = nn.ForwardTime(l.inner, x, T, static)
	})
	if err != nil || !y.RequiresGrad() {
		return y, yStatic, err
	}
	bw := pprof.WithLabels(l.ctx, pprof.Labels("layer", l.name, "pass", "backward"))
	y, err = autograd.Apply(labelOp{bw}, y)
	return y, yStatic, err
}

func (l *labelled) Params() []nn.NamedVar     { return l.inner.Params() }
func (l *labelled) Buffers() []nn.NamedTensor { return l.inner.Buffers() }
func (l *labelled) SetTraining(b bool)        { l.inner.SetTraining(b) }

// referenceBatches are the reference models with their batch sizes.
var referenceBatches = []struct {
	name  string
	batch int
}{{"mlp", 128}, {"cnn", 64}}

// labelLayers wraps every layer of m in a labelled with the name
// <index>-<type>, such as 4-Conv2d.
func labelLayers(m *snn.Net, ctx context.Context) {
	mods := m.Sequential().Modules
	for i, l := range mods {
		typ := strings.TrimPrefix(fmt.Sprintf("%T", l), "*")
		typ = typ[strings.LastIndex(typ, ".")+1:]
		mods[i] = &labelled{name: fmt.Sprintf("%d-%s", i, typ), inner: l, ctx: ctx}
	}
}

// labelOp is the identity whose Backward sets the profiler labels of the
// layer before it.
type labelOp struct{ ctx context.Context }

func (labelOp) Forward(_ *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	return in[0], nil
}

func (o labelOp) Backward(_ *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	pprof.SetGoroutineLabels(o.ctx)
	return []*tensor.Tensor{g}, nil
}

// BenchmarkTrainStepLayers runs the training steps of BenchmarkTrainStep
// with every layer of the model, the loss and the optimizer under their
// own profiler labels, for the per-layer tables of bench/README.md:
//
//	go test -run '^$' -bench 'TrainStepLayers/cnn' -benchtime 40x -cpuprofile cnn.prof ./models
//	go tool pprof -tags cnn.prof             # time per layer and pass
//	go tool pprof -top -tagfocus layer=4-Conv2d cnn.prof
//
// The labels are layer=<index>-<type> and pass=forward or backward, and
// layer=loss, layer=optimizer and layer=data for the rest of a step.
func BenchmarkTrainStepLayers(b *testing.B) {
	for _, c := range referenceBatches {
		b.Run(c.name, func(b *testing.B) {
			s := newStepper(b, c.name, c.batch)
			ctx := context.Background()
			labelLayers(s.m, ctx)
			label := func(name string, fn func()) {
				pprof.Do(ctx, pprof.Labels("layer", name), func(context.Context) { fn() })
			}
			for range 3 { // warm-up
				s.step(b)
			}
			c0 := cpuTime()
			for b.Loop() {
				var xt *tensor.Tensor
				label("data", func() { xt = s.input(b) })
				s.opt.ZeroGrad()
				o, err := s.m.Forward(autograd.NewVar(xt, false))
				if err != nil {
					b.Fatal(err)
				}
				var l *autograd.Var
				label("loss", func() {
					if l, err = nn.CrossEntropy(Rates(o), s.y); err != nil {
						b.Fatal(err)
					}
				})
				label("loss", func() {
					// The loss's nodes come first; each layer's identity
					// relabels the goroutine for the layer's nodes.
					if err := autograd.Backward(l, nil); err != nil {
						b.Fatal(err)
					}
				})
				pprof.SetGoroutineLabels(ctx)
				label("optimizer", func() {
					if err := s.opt.Step(); err != nil {
						b.Fatal(err)
					}
				})
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkInferLayers runs inference batches of each reference model at
// its reference batch size (evaluation mode, no tape) with every layer's
// forward pass under the profiler label layer=<index>-<type>, for the
// per-layer inference tables of bench/README.md:
//
//	go test -run '^$' -bench 'InferLayers/cnn' -benchtime 100x -cpuprofile cnn-infer.prof ./models
//	go tool pprof -tags cnn-infer.prof
//
// The models are trained for 20 steps first, so that their firing rates
// are past their initial values.
func BenchmarkInferLayers(b *testing.B) {
	for _, c := range referenceBatches {
		b.Run(c.name, func(b *testing.B) {
			s := newStepper(b, c.name, c.batch)
			for range 20 {
				s.step(b)
			}
			ctx := context.Background()
			labelLayers(s.m, ctx)
			s.m.SetTraining(false)
			xt := s.input(b)
			c0 := cpuTime()
			for b.Loop() {
				if _, err := s.m.Infer(xt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(c.batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
