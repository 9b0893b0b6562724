package train

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/spikego/spikego/dataset"
)

// BenchmarkTrainEpoch measures one epoch of training (1,024 samples of the
// embedded sample, no evaluation worth mentioning) of each reference model
// at its reference batch size; b.N epochs. Besides the elapsed time it
// reports cpu-ns/op, the process' CPU time per epoch.
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
			c0 := cpuTime()
			if err := tr.Run(context.Background(), nil, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
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

// cpuTime returns the CPU time the process has used so far: on a shared
// machine it varies less than the elapsed time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
