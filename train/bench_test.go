package train

import (
	"context"
	"testing"

	"github.com/spikego/spikego/dataset"
)

// BenchmarkTrainEpoch measures one epoch of training (1,024 samples of the
// embedded sample, no evaluation worth mentioning) of each reference model
// at its reference batch size; b.N epochs.
func BenchmarkTrainEpoch(b *testing.B) {
	for _, model := range []string{"mlp", "cnn"} {
		b.Run(model, func(b *testing.B) {
			d := benchData(b)
			samples := 1024
			if model == "cnn" {
				samples = 256
			}
			cfg := Config{Model: model, TrainSamples: samples, TestSamples: 1, Epochs: b.N, Seed: 1}
			tr, err := New(cfg, d)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			if err := tr.Run(context.Background(), nil, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(samples*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

func benchData(b *testing.B) Data {
	b.Helper()
	tr, err := dataset.Sample(dataset.Train)
	if err != nil {
		b.Fatal(err)
	}
	te, err := dataset.Sample(dataset.Test)
	if err != nil {
		b.Fatal(err)
	}
	return Data{Train: tr, Test: te}
}
