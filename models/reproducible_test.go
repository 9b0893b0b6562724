package models

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// reproProcs are the numbers of cores the reproducibility test trains on.
var reproProcs = []int{1, 2, 4, 8, 16}

// reproRun is the state after a few training steps: the loss of every
// step, and every parameter, Adam state and buffer, by name.
type reproRun struct {
	losses []float32
	state  []nn.NamedTensor
}

// hash returns the SHA-256 of the losses and of every tensor's name and
// bits, in order.
func (r *reproRun) hash() string {
	h := sha256.New()
	var b [4]byte
	for _, l := range r.losses {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(l))
		h.Write(b[:])
	}
	for _, e := range r.state {
		h.Write([]byte(e.Name))
		for _, v := range e.Tensor.Data() {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			h.Write(b[:])
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// firstDiff describes the first difference between two runs, or returns
// "" when they are bit-identical.
func (r *reproRun) firstDiff(o *reproRun) string {
	for i, l := range r.losses {
		if math.Float32bits(l) != math.Float32bits(o.losses[i]) {
			return fmt.Sprintf("loss of step %d: %v against %v", i+1, l, o.losses[i])
		}
	}
	for i, e := range r.state {
		a, b := e.Tensor.Data(), o.state[i].Tensor.Data()
		n, first := 0, -1
		for j := range a {
			if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
				if n == 0 {
					first = j
				}
				n++
			}
		}
		if n > 0 {
			return fmt.Sprintf("%s: %d of %d elements differ, first [%d] %v against %v",
				e.Name, n, len(a), first, a[first], b[first])
		}
	}
	return ""
}

// reproTrain builds the named model from seed 1 and runs steps training
// steps (forward, cross entropy, backward, Adam step) on consecutive
// batches of the embedded sample, with GOMAXPROCS set to procs.
func reproTrain(t *testing.T, name string, cfg Config, batch, steps, procs int) *reproRun {
	t.Helper()
	cfg.Seed = 1
	m, err := New(name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return reproTrainModel(t, m, batch, steps, procs)
}

// reproTrainModel is reproTrain for a model already built.
func reproTrainModel(t *testing.T, m Model, batch, steps, procs int) *reproRun {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	set, err := dataset.Sample(dataset.Train)
	if err != nil {
		t.Fatal(err)
	}
	m.SetTraining(true)
	opt, err := optim.NewAdam(nn.ParamVars(m), optim.DefaultAdam())
	if err != nil {
		t.Fatal(err)
	}
	run := &reproRun{}
	x := make([]float32, batch*set.ImageSize())
	y := make([]int, batch)
	idx := make([]int, batch)
	for step := range steps {
		for i := range idx {
			idx[i] = step*batch + i
		}
		set.Batch(idx, x, y)
		opt.ZeroGrad()
		xt, err := tensor.FromSlice(x, append([]int{batch}, m.InputShape()...)...)
		if err != nil {
			t.Fatal(err)
		}
		o, err := m.Forward(autograd.NewVar(xt, false))
		if err != nil {
			t.Fatal(err)
		}
		l, err := nn.CrossEntropy(Rates(o), y)
		if err != nil {
			t.Fatal(err)
		}
		if err := autograd.Backward(l, nil); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
		run.losses = append(run.losses, l.Value().Item())
	}
	run.state = nn.StateDict(m)
	st := opt.StateDict()
	for _, k := range slices.Sorted(maps.Keys(st)) {
		run.state = append(run.state, nn.NamedTensor{Name: "optimizer." + k, Tensor: st[k]})
	}
	return run
}

// TestSameBitsOnAnyCoreCount trains both reference models (and variants
// with learnable node parameters, whose gradients are sums over all
// neurons) for a few steps with GOMAXPROCS 1, 2, 4, 8 and 16, and checks
// that the losses, the weights, the Adam state and the BatchNorm running
// statistics are bit-identical. It logs the hash of the final state, so
// that builds for other CPU feature levels (-tags purego) can be compared.
func TestSameBitsOnAnyCoreCount(t *testing.T) {
	// PLIF's w, the threshold and Atan's alpha are learned; the lower
	// threshold keeps the untrained network firing.
	learnable := []node.Option{node.WithSurrogate("AtanGrad"), node.WithThresholdGrad(true), node.WithThreshold(0.2)}
	cases := []struct {
		name, model string
		cfg         Config
		batch       int
	}{
		{"mlp", "mlp", Config{}, 32},
		{"cnn", "cnn", Config{}, 16},
		{"mlp-plif-learnable", "mlp", Config{Node: "PLIFNode", NodeOptions: learnable}, 32},
		{"cnn-plif-learnable", "cnn", Config{Node: "PLIFNode", NodeOptions: learnable}, 16},
	}
	const steps = 3
	procs := reproProcs
	if raceBuild {
		// The race detector makes a step about ten times slower, and
		// looks for data races, not for other bits: the reference models
		// on 1, 2 and 16 cores are enough for it (the plain run checks
		// everything).
		procs, cases = []int{1, 2, 16}, cases[:2]
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := reproTrain(t, c.model, c.cfg, c.batch, steps, procs[0])
			for _, n := range procs[1:] {
				got := reproTrain(t, c.model, c.cfg, c.batch, steps, n)
				if d := got.firstDiff(want); d != "" {
					t.Errorf("GOMAXPROCS=%d against %d: %s", n, procs[0], d)
				}
			}
			t.Logf("losses %v, state sha256 %s", want.losses, want.hash())
		})
	}
}
