package train_test

import (
	"context"
	"fmt"

	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/train"
)

// ExampleNew trains the reference MLP for one epoch on 256 images of the
// embedded Fashion-MNIST sample and evaluates it on 128 test images,
// writing nothing to disk.
func ExampleNew() {
	trainSet, err := dataset.Sample(dataset.Train)
	if err != nil {
		panic(err)
	}
	testSet, err := dataset.Sample(dataset.Test)
	if err != nil {
		panic(err)
	}
	tr, err := train.New(train.Config{Model: "mlp", TrainSamples: 256, TestSamples: 128, Batch: 64},
		train.Data{Train: trainSet, Test: testSet})
	if err != nil {
		panic(err)
	}
	cfg := tr.Config()
	fmt.Printf("%s, T=%d, batch %d, %s lr %g\n", cfg.Model, cfg.T, cfg.Batch, cfg.Optimizer, cfg.LR)
	err = tr.Run(context.Background(), nil, func(m train.EpochMetrics) {
		fmt.Printf("epoch %d: %d training and %d test samples, %d firing rates\n",
			m.Epoch, m.TrainSamples, m.TestSamples, len(m.FiringRates))
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// mlp, T=8, batch 64, adam lr 0.001
	// epoch 1: 256 training and 128 test samples, 2 firing rates
}
