package train_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/spikego/spikego/checkpoint"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/tensor"
	"github.com/spikego/spikego/train"
)

func sample(t *testing.T) train.Data {
	t.Helper()
	tr, err := dataset.Sample(dataset.Train)
	if err != nil {
		t.Fatal(err)
	}
	te, err := dataset.Sample(dataset.Test)
	if err != nil {
		t.Fatal(err)
	}
	return train.Data{Train: tr, Test: te}
}

// ownNet is a user's network: conv -> PLIF -> pool -> flatten -> dropout ->
// linear -> LIF(AtanGrad), built from the public constructors only.
func ownNet(t *testing.T, seed uint64) *snn.Net {
	t.Helper()
	rng := nn.NewRand(seed)
	conv, err := nn.NewConv2d(1, 8, 5, 2, 2, true, rng) // 28 -> 14
	if err != nil {
		t.Fatal(err)
	}
	plif, err := node.New("PLIFNode", node.WithTau(3))
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := nn.NewMaxPool2d(2, 2) // 14 -> 7
	drop, _ := nn.NewDropout(0.2, rng)
	lif, err := node.New("LIFNode", node.WithSurrogate("AtanGrad"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := nn.NewLinear(8*7*7, 10, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	net, err := snn.New(4, []int{1, 28, 28}, conv, plif, pool, nn.NewFlatten(), drop, fc, lif)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestTrainOwnNetwork trains a user-defined network through the public
// API (NewWith, an own optimizer and loss), interrupts it, resumes it, and
// requires the weights of an uninterrupted run; then saves and loads it
// with package checkpoint and predicts with it.
func TestTrainOwnNetwork(t *testing.T) {
	data := sample(t)
	cfg := train.Config{Model: "", Arch: "", Epochs: 2, Batch: 32, TrainSamples: 256, TestSamples: 128, Seed: 4}
	setup := func(seed uint64) train.Setup {
		net := ownNet(t, seed)
		opt, err := optim.NewSGD(nn.ParamVars(net), optim.SGDOptions{LR: 0.05, Momentum: 0.9})
		if err != nil {
			t.Fatal(err)
		}
		return train.Setup{Model: net, Optimizer: opt, Loss: nn.MSERate}
	}
	// Uninterrupted.
	a := setup(1)
	cfg.OutDir = filepath.Join(t.TempDir(), "a")
	ta, err := train.NewWith(a, cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	var last train.EpochMetrics
	if err := ta.Run(context.Background(), nil, func(m train.EpochMetrics) { last = m }); err != nil {
		t.Fatal(err)
	}
	ta.Close()
	if last.Epoch != 2 || len(last.FiringRates) != 2 || last.TrainLoss <= 0 {
		t.Fatalf("metrics %+v", last)
	}
	// Interrupted after 5 batches and resumed into a fresh model.
	cfg.OutDir = filepath.Join(t.TempDir(), "b")
	b := setup(1)
	tb, err := train.NewWith(b, cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = tb.Run(ctx, func(p train.Progress) {
		if p.Phase == "train" {
			if n++; n == 5 {
				cancel()
			}
		}
	}, nil)
	tb.Close()
	if !errors.Is(err, train.ErrInterrupted) {
		t.Fatalf("interrupted run: %v", err)
	}
	c := setup(99) // other initial weights: the checkpoint must replace them all
	cfg.Resume = true
	tc, err := train.NewWith(c, cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := tc.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	tc.Close()
	sa, sc := nn.StateDict(a.Model), nn.StateDict(c.Model)
	for i := range sa {
		for j, v := range sa[i].Tensor.Data() {
			if math.Float32bits(v) != math.Float32bits(sc[i].Tensor.Data()[j]) {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", sa[i].Name, j, v, sc[i].Tensor.Data()[j])
			}
		}
	}
	// Save with the optimizer, load into a fresh network, predict the same.
	path := filepath.Join(t.TempDir(), "own.safetensors")
	if err := checkpoint.Save(path, a.Model, a.Optimizer, nil); err != nil {
		t.Fatal(err)
	}
	fresh := setup(7)
	if _, err := checkpoint.Load(path, fresh.Model, fresh.Optimizer); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(8, 1, 28, 28)
	data.Test.Batch([]int{0, 1, 2, 3, 4, 5, 6, 7}, x.Data(), make([]int, 8))
	pa, err := a.Model.(*snn.Net).Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := fresh.Model.(*snn.Net).Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pa {
		if pa[i] != pf[i] {
			t.Fatalf("predictions %v after loading, %v before", pf, pa)
		}
	}
}

// TestArchRunsAndResumes trains a network given as a spec, with dropout,
// another loss and clipping, interrupts it inside an epoch, and requires
// the resumed run to end with the bits of an uninterrupted one (the
// dropout generator's state is in the checkpoint).
func TestArchRunsAndResumes(t *testing.T) {
	data := sample(t)
	cfg := train.Config{Arch: "conv(4,3,stride=2) bn plif dropout(0.3) flatten linear(10) lif", T: 3, Loss: "ce_rate_loss",
		ClipNorm: 0.5, Optimizer: "sgd", Momentum: 0.5, LR: 0.1, Epochs: 2, Batch: 16, TrainSamples: 96, TestSamples: 32, Seed: 2}
	run := func(dir string, stopAt int) error {
		c := cfg
		c.OutDir = dir
		tr, err := train.New(c, data)
		if err != nil {
			return err
		}
		defer tr.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		return tr.Run(ctx, func(p train.Progress) {
			if p.Phase == "train" {
				if n++; n == stopAt {
					cancel()
				}
			}
		}, nil)
	}
	a := filepath.Join(t.TempDir(), "a")
	if err := run(a, -1); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(t.TempDir(), "b")
	if err := run(b, 4); !errors.Is(err, train.ErrInterrupted) {
		t.Fatalf("interrupted run: %v", err)
	}
	cfg.Resume = true
	if err := run(b, -1); err != nil {
		t.Fatal(err)
	}
	ca, err := train.LoadCheckpoint(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := train.LoadCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	if ca.Config.Arch != cfg.Arch || ca.Config.Loss != "ce_rate_loss" {
		t.Errorf("checkpoint config %+v", ca.Config)
	}
	sa, sb := nn.StateDict(ca.Model), nn.StateDict(cb.Model)
	for i := range sa {
		for j, v := range sa[i].Tensor.Data() {
			if math.Float32bits(v) != math.Float32bits(sb[i].Tensor.Data()[j]) {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", sa[i].Name, j, v, sb[i].Tensor.Data()[j])
			}
		}
	}
}

func TestMembraneLossNeedsNonSpikingOutput(t *testing.T) {
	data := sample(t)
	cfg := train.Config{Arch: "flatten linear(32) lif linear(10) lif", Loss: "ce_mean_membrane_loss", TrainSamples: 32, TestSamples: 16}
	if _, err := train.New(cfg, data); err == nil {
		t.Error("a membrane loss on a spiking output was accepted")
	}
	cfg.Arch = "flatten linear(32) lif linear(10) lif(nonspiking=true)"
	tr, err := train.New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
}
