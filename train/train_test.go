package train

import (
	"context"
	"errors"
	"testing"

	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
)

func sampleData(t *testing.T) Data {
	t.Helper()
	tr, err := dataset.Sample(dataset.Train)
	if err != nil {
		t.Fatal(err)
	}
	te, err := dataset.Sample(dataset.Test)
	if err != nil {
		t.Fatal(err)
	}
	return Data{Train: tr, Test: te}
}

func smallConfig(dir string) Config {
	return Config{Model: "mlp", Epochs: 2, Batch: 32, TrainSamples: 320, TestSamples: 64, OutDir: dir, Seed: 3}
}

func TestRunWritesMetricsAndCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr, err := New(smallConfig(dir), sampleData(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var epochs []EpochMetrics
	progress := 0
	if err := tr.Run(context.Background(), func(Progress) { progress++ }, func(m EpochMetrics) { epochs = append(epochs, m) }); err != nil {
		t.Fatal(err)
	}
	if len(epochs) != 2 || progress == 0 {
		t.Fatalf("%d epochs reported, %d progress calls", len(epochs), progress)
	}
	ms, err := ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[1].Epoch != 2 || ms[0].TrainSamples != 320 || ms[0].TestSamples != 64 {
		t.Fatalf("metrics %+v", ms)
	}
	for _, m := range ms {
		if m.TrainLoss <= 0 || m.TrainSamplesPerS <= 0 || len(m.FiringRates) != 2 || m.TestAcc < 0 || m.TestAcc > 1 {
			t.Errorf("implausible metrics %+v", m)
		}
	}
	// The checkpoint rebuilds the same model: same accuracy on the test set.
	c, err := LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Epoch != 2 || c.Config.Model != "mlp" {
		t.Fatalf("checkpoint %+v", c.Config)
	}
	test := sampleData(t).Test.Subset(64)
	a1, _, err := Evaluate(context.Background(), tr.Model(), test, 32, nil)
	if err != nil {
		t.Fatal(err)
	}
	a2, _, err := Evaluate(context.Background(), c.Model, test, 32, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a1 != a2 || a1 != ms[1].TestAcc {
		t.Errorf("accuracy: trained %v, reloaded %v, metrics %v", a1, a2, ms[1].TestAcc)
	}
}

// TestResumeMatchesUninterrupted interrupts training inside the first
// epoch, resumes from the checkpoint, and requires exactly the weights of
// a run that was never interrupted.
func TestResumeMatchesUninterrupted(t *testing.T) {
	for _, model := range []string{"mlp", "cnn"} {
		t.Run(model, func(t *testing.T) {
			data := sampleData(t)
			cfgA := smallConfig(t.TempDir())
			cfgA.Model = model
			if model == "cnn" {
				cfgA.TrainSamples, cfgA.Batch, cfgA.Epochs = 96, 16, 2
			}
			a, err := New(cfgA, data)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Run(context.Background(), nil, nil); err != nil {
				t.Fatal(err)
			}

			cfgB := cfgA
			cfgB.OutDir = t.TempDir()
			b, err := New(cfgB, data)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			calls := 0
			err = b.Run(ctx, func(p Progress) {
				if p.Phase == "train" {
					calls++
					if calls == 3 {
						cancel()
					}
				}
			}, nil)
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("interrupted run returned %v", err)
			}
			b.Close()
			cfgB.Resume = true
			c, err := New(cfgB, data)
			if err != nil {
				t.Fatal(err)
			}
			var last EpochMetrics
			if err := c.Run(context.Background(), nil, func(m EpochMetrics) { last = m }); err != nil {
				t.Fatal(err)
			}
			if last.Epoch != 2 {
				t.Fatalf("resumed run ended at epoch %d", last.Epoch)
			}
			want, got := nn.StateDict(a.Model()), nn.StateDict(c.Model())
			for i := range want {
				wd, gd := want[i].Tensor.Data(), got[i].Tensor.Data()
				for j := range wd {
					if wd[j] != gd[j] {
						t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", want[i].Name, j, wd[j], gd[j])
					}
				}
			}
			ms, err := ReadMetrics(cfgB.OutDir)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 2 || ms[0].TrainSamples != cfgA.TrainSamples {
				t.Errorf("resumed metrics %+v", ms)
			}
		})
	}
}

// TestInterruptDuringEvaluation stops a run while it evaluates: the
// epoch's training is kept, and the resumed run only evaluates it before
// finishing with the weights of an uninterrupted run.
func TestInterruptDuringEvaluation(t *testing.T) {
	data := sampleData(t)
	cfg := smallConfig(t.TempDir())
	cfg.Epochs = 1
	a, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	cfg.OutDir = t.TempDir()
	b, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = b.Run(ctx, func(p Progress) {
		if p.Phase == "test" {
			cancel()
		}
	}, nil)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("run interrupted in evaluation returned %v", err)
	}
	b.Close()
	cfg.Resume = true
	c, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	trained := 0
	var got EpochMetrics
	if err := c.Run(context.Background(), func(p Progress) {
		if p.Phase == "train" {
			trained++
		}
	}, func(m EpochMetrics) { got = m }); err != nil {
		t.Fatal(err)
	}
	if trained != 0 {
		t.Errorf("resumed run trained %d more batches", trained)
	}
	if got.TrainSamples != cfg.TrainSamples {
		t.Errorf("resumed epoch reports %d training samples, want %d", got.TrainSamples, cfg.TrainSamples)
	}
	want, have := nn.StateDict(a.Model()), nn.StateDict(c.Model())
	for i := range want {
		for j, v := range want[i].Tensor.Data() {
			if have[i].Tensor.Data()[j] != v {
				t.Fatalf("%s[%d] differs after resuming", want[i].Name, j)
			}
		}
	}
}
